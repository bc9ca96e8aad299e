package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestWorkloadsWithKubectl: the scheduler and controllers inside `hanok
// server`, driven by kubectl. There is no kubelet here, so a Node object
// stands in for a machine: pods are created and bound to it, never run.
func TestWorkloadsWithKubectl(t *testing.T) {
	s := startServer(t)
	s.mustKubectlIn(`apiVersion: v1
kind: Node
metadata:
  name: e2e-node
  labels: {kubernetes.io/hostname: e2e-node}
status:
  capacity: {cpu: "4", memory: 8Gi, pods: "110"}
  allocatable: {cpu: "4", memory: 8Gi, pods: "110"}
  conditions:
  - {type: Ready, status: "True", reason: KubeletReady, message: ready}
`, "apply", "-f", "-")
	const ns = "e2e-work"
	s.mustKubectl("create", "namespace", ns)
	waitForDefaultServiceAccount(t, s, ns)

	t.Run("deployment scheduled", func(t *testing.T) {
		s.mustKubectl("create", "deployment", "web", "-n", ns, "--image=registry.invalid/web:1", "--replicas=3")
		waitFor(t, 30*time.Second, func() bool {
			out, _ := s.kubectl("get", "pods", "-n", ns, "-l", "app=web", "-o", "jsonpath={range .items[*]}{.spec.nodeName}{\" \"}{end}")
			return strings.Count(out, "e2e-node") == 3
		})
		contains(t, s.mustKubectl("get", "rs", "-n", ns, "-l", "app=web"), "web-")
		contains(t, s.mustKubectl("get", "events", "-n", ns, "--field-selector", "reason=Scheduled"), "Successfully assigned")
	})

	t.Run("unschedulable pod explained", func(t *testing.T) {
		s.mustKubectl("run", "huge", "-n", ns, "--image=registry.invalid/huge", "--restart=Never",
			"--overrides", `{"spec":{"containers":[{"name":"huge","image":"registry.invalid/huge","resources":{"requests":{"cpu":"64"}}}]}}`)
		waitFor(t, 30*time.Second, func() bool {
			out, _ := s.kubectl("get", "events", "-n", ns, "--field-selector", "involvedObject.name=huge,reason=FailedScheduling", "-o", "jsonpath={.items[*].message}")
			return strings.Contains(out, "0/1 nodes are available: 1 Insufficient cpu.")
		})
	})

	t.Run("delete cascades", func(t *testing.T) {
		s.mustKubectl("delete", "deployment", "web", "-n", ns)
		// The ReplicaSet goes; its pods, bound to a node, are deleted
		// gracefully: Terminating until a kubelet confirms (none here).
		waitFor(t, 30*time.Second, func() bool {
			rs, _ := s.kubectl("get", "rs", "-n", ns, "-l", "app=web", "-o", "name")
			pods, _ := s.kubectl("get", "pods", "-n", ns, "-l", "app=web", "-o",
				`jsonpath={range .items[*]}{.metadata.name}={.metadata.deletionTimestamp}{" "}{end}`)
			return strings.TrimSpace(rs) == "" && !strings.Contains(pods+" ", "= ")
		})
	})

	t.Run("orphan keeps dependents", func(t *testing.T) {
		s.mustKubectl("create", "deployment", "keep", "-n", ns, "--image=registry.invalid/keep:1", "--replicas=1")
		waitFor(t, 30*time.Second, func() bool {
			out, _ := s.kubectl("get", "pods", "-n", ns, "-l", "app=keep", "-o", "name")
			return strings.Count(out, "pod/") == 1
		})
		s.mustKubectl("delete", "deployment", "keep", "-n", ns, "--cascade=orphan")
		time.Sleep(2 * time.Second) // give the garbage collector a chance to get it wrong
		if out := s.mustKubectl("get", "rs", "-n", ns, "-l", "app=keep", "-o", "name"); !strings.Contains(out, "replicaset") {
			t.Fatalf("orphaned ReplicaSet is gone: %q", out)
		}
	})

	t.Run("namespace deletion empties it", func(t *testing.T) {
		s.mustKubectl("delete", "namespace", ns, "--wait=false")
		// The namespace controller deletes everything; pods bound to a
		// node wait for its kubelet (none here) to confirm, so end them
		// as an operator would.
		waitFor(t, 60*time.Second, func() bool {
			_, _ = s.kubectl("delete", "pods", "--all", "-n", ns, "--grace-period=0", "--force")
			_, err := s.kubectl("get", "namespace", ns)
			return err != nil && strings.Contains(err.Error(), "NotFound")
		})
	})
}
