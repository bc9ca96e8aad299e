package kubeletproxy_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/hanok-dev/hanok/internal/testserver"
)

// TestKubectlExec: real kubectl's exec (WebSockets first, as kubectl
// 1.30+ does) reaches the kubelet with stdin and stdout both ways.
func TestKubectlExec(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("no kubectl on PATH")
	}
	c := newCluster(t)
	c.pod(t, "web", true, "app")
	cmd := exec.CommandContext(testserver.Context(t), kubectl, "--kubeconfig", c.s.KubeconfigPath(), "exec", "-i", "web", "-n", c.ns, "--", "cat")
	cmd.Stdin = strings.NewReader("hello from kubectl\n")
	out, err := cmd.CombinedOutput()
	if err != nil || string(out) != "hello from kubectl\n" {
		t.Fatalf("kubectl exec: %v\n%s", err, out)
	}
}
