package e2e

import (
	"testing"
)

// TestRestartKeepsEverything stops the server with SIGTERM and starts it
// again on the same data dir: every object and resourceVersion is there.
func TestRestartKeepsEverything(t *testing.T) {
	s := startServer(t)
	if _, err := s.kubectlIn(appYAML, "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		s.mustKubectl("create", "configmap", "cm-"+string(rune('a'+i)), "-n", "shop")
	}
	query := []string{"get", "cm,secret,deploy,svc,ns", "-A", "-o",
		`jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}@{.metadata.resourceVersion}/{.metadata.uid}{"\n"}{end}`}
	before := s.mustKubectl(query...)
	s.stop()
	s.start()
	after := s.mustKubectl(query...)
	if before != after {
		t.Fatalf("objects changed across restart:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	// Writes still work after the restart and get newer resourceVersions.
	s.mustKubectl("create", "configmap", "after-restart", "-n", "shop")
}
