package e2e

import (
	"strings"
	"testing"
)

// TestBootstrapPolicyRepairedOnRestart: the bootstrap RBAC policy is
// reconciled at every start, upstream's way: what an admin removed comes
// back, what an admin added stays, and a role marked autoupdate=false is
// left alone.
func TestBootstrapPolicyRepairedOnRestart(t *testing.T) {
	s := startServer(t)
	s.mustKubectl("delete", "clusterrolebinding", "system:basic-user")
	s.mustKubectl("label", "clusterrole", "view", "team=ops")
	s.mustKubectl("annotate", "--overwrite", "clusterrole", "system:discovery", "rbac.authorization.kubernetes.io/autoupdate=false")
	s.mustKubectl("patch", "clusterrole", "system:discovery", "--type=json", `-p=[{"op":"remove","path":"/rules/0"}]`)
	discoveryRules := s.mustKubectl("get", "clusterrole", "system:discovery", "-o", "jsonpath={.rules}")
	adminRV := s.mustKubectl("get", "clusterrolebinding", "cluster-admin", "-o", "jsonpath={.metadata.resourceVersion}")

	s.stop()
	s.start()

	contains(t, s.mustKubectl("get", "clusterrolebinding", "system:basic-user", "-o", "jsonpath={.subjects[*].name}"), "system:authenticated")
	if got := s.mustKubectl("get", "clusterrole", "view", "-o", "jsonpath={.metadata.labels.team}"); got != "ops" {
		t.Errorf("the admin's label on view: %q", got)
	}
	if got := s.mustKubectl("get", "clusterrole", "system:discovery", "-o", "jsonpath={.rules}"); got != discoveryRules {
		t.Errorf("autoupdate=false role changed:\n%s\nwas\n%s", got, discoveryRules)
	}
	// What needed nothing was not rewritten.
	if got := s.mustKubectl("get", "clusterrolebinding", "cluster-admin", "-o", "jsonpath={.metadata.resourceVersion}"); got != adminRV {
		t.Errorf("cluster-admin binding rewritten: resourceVersion %s -> %s", adminRV, got)
	}
	if !strings.Contains(s.mustKubectl("auth", "can-i", "--list"), "*.*") {
		t.Error("admin lost its rights")
	}
}
