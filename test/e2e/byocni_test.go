package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hanok-dev/hanok/internal/datadir"
)

// userConfList is a standard conflist a user brings with
// --network-backend none: the bundled plugins, the user's own bridge and
// range.
const userConfList = `{
  "cniVersion": "1.0.0",
  "name": "byo",
  "plugins": [
    {"type": "bridge", "bridge": "byo0", "isGateway": true, "ipMasq": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.88.0.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}`

// With --network-backend none hanok writes no CNI config and joins no
// pod networks: the user's conflist in the same folder is used.
func TestNodeNetworkBackendNone(t *testing.T) {
	s := startNodeServer(t, "--network-backend", "none")
	writeTestImages(t, s.imagesDir())
	dir := datadir.New(s.dataDir).CNIConfDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "10-byo.conflist"), []byte(userConfList), 0o644); err != nil {
		t.Fatal(err)
	}
	s.startNode()
	waitForDefaultServiceAccount(t, s, "default")
	s.mustKubectl("run", "byo", "--image", busyboxImage, "--restart", "Never", "--", "sh", "-c", "echo on my own network")
	s.waitPodField("default", "byo", "{.status.phase}", "Succeeded", 90*time.Second)
	if ip := s.jsonpath("pod/byo", "{.status.podIP}"); !strings.HasPrefix(ip, "10.88.0.") {
		t.Fatalf("pod IP %q is not from the user's range 10.88.0.0/24", ip)
	}
	contains(t, s.mustKubectl("logs", "byo"), "on my own network")
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("hanok wrote its own CNI config beside the user's: %v", entries)
	}
}
