package nodestatus

import (
	"context"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

// fakeRuntime is a RuntimeInfo whose readiness tests switch.
type fakeRuntime struct {
	name, version string
	mu            *sync.Mutex
	ready         *bool
}

func (f fakeRuntime) Version(context.Context) (string, string, error) { return f.name, f.version, nil }

func (f fakeRuntime) Status(context.Context) (bool, bool, string) {
	if f.ready == nil {
		return true, true, ""
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if *f.ready {
		return true, true, ""
	}
	return true, false, "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:cni plugin not initialized"
}

func (f fakeRuntime) set(ready bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	*f.ready = ready
}

type fakePressure struct{ memory bool }

func (p fakePressure) MemoryPressure() bool { return p.memory }
func (p fakePressure) DiskPressure() bool   { return false }
func (p fakePressure) PIDPressure() bool    { return false }

// nodeConfig is a Config for a fresh node named after the test, with the
// node's own identity.
func nodeConfig(t *testing.T, s *testserver.Server, name string) Config {
	client := s.ClientFor(t, "system:node:"+name, "system:nodes")
	t.Cleanup(func() {
		_ = s.Client().CoreV1().Nodes().Delete(context.Background(), name, metav1.DeleteOptions{})
		_ = s.Client().CoordinationV1().Leases(v1.NamespaceNodeLease).Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	return Config{
		NodeName: name,
		Hostname: name + "-host",
		NodeIPs:  []net.IP{net.ParseIP("127.0.0.10")},
		Client:   client,
		Port:     10250,
		RootDir:  t.TempDir(),
		Runtime:  fakeRuntime{name: "containerd", version: "2.4.2"},
	}
}

func TestRegisterCreatesNode(t *testing.T) {
	s := shared.Get(t)
	ctx := testserver.Context(t)
	cfg := nodeConfig(t, s, "ns-register")
	cfg.ControlPlane = true
	cfg.Labels = map[string]string{"example.com/team": "infra", "node.kubernetes.io/pool": "a"}
	cfg.Taints = []v1.Taint{{Key: "example.com/dedicated", Value: "infra", Effect: v1.TaintEffectNoSchedule}}
	cfg.MaxPods = 42

	node, err := Register(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Client().CoreV1().Nodes().Get(ctx, cfg.NodeName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.UID != node.UID {
		t.Errorf("Register returned UID %s, server has %s", node.UID, got.UID)
	}
	for k, v := range map[string]string{
		"kubernetes.io/hostname": "ns-register-host", "kubernetes.io/os": "linux", "beta.kubernetes.io/os": "linux",
		"example.com/team": "infra", "node.kubernetes.io/pool": "a",
	} {
		if got.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, got.Labels[k], v)
		}
	}
	if got.Labels["kubernetes.io/arch"] == "" || got.Labels["beta.kubernetes.io/arch"] == "" {
		t.Errorf("arch labels missing: %v", got.Labels)
	}
	if len(got.Spec.Taints) != 1 || got.Spec.Taints[0].Key != "example.com/dedicated" {
		t.Errorf("taints = %v", got.Spec.Taints)
	}
	st := got.Status
	if q := st.Capacity[v1.ResourcePods]; q.Value() != 42 {
		t.Errorf("capacity pods = %s", q.String())
	}
	for _, res := range []v1.ResourceName{v1.ResourceCPU, v1.ResourceMemory, v1.ResourceEphemeralStorage} {
		c, a := st.Capacity[res], st.Allocatable[res]
		if c.Sign() <= 0 || a.Sign() <= 0 || a.Cmp(c) > 0 {
			t.Errorf("%s: capacity %s allocatable %s", res, c.String(), a.String())
		}
	}
	if len(st.Addresses) != 2 || st.Addresses[0] != (v1.NodeAddress{Type: v1.NodeInternalIP, Address: "127.0.0.10"}) ||
		st.Addresses[1] != (v1.NodeAddress{Type: v1.NodeHostName, Address: "ns-register-host"}) {
		t.Errorf("addresses = %v", st.Addresses)
	}
	if st.DaemonEndpoints.KubeletEndpoint.Port != 10250 {
		t.Errorf("kubelet port = %d", st.DaemonEndpoints.KubeletEndpoint.Port)
	}
	if st.NodeInfo.ContainerRuntimeVersion != "containerd://2.4.2" || st.NodeInfo.KubeletVersion == "" || st.NodeInfo.BootID == "" {
		t.Errorf("nodeInfo = %+v", st.NodeInfo)
	}
	if c := condition(st.Conditions, v1.NodeReady); c.Status != v1.ConditionTrue {
		t.Errorf("Ready = %+v", c)
	}

	// The node may not give itself the control-plane role (NodeRestriction
	// refuses it); the server does.
	if _, ok := got.Labels[LabelControlPlane]; ok {
		t.Error("node labelled itself control-plane")
	}
	self := got.DeepCopy()
	self.Labels[LabelControlPlane] = "true"
	if _, err := cfg.Client.CoreV1().Nodes().Update(ctx, self, metav1.UpdateOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("node setting %s on itself: err = %v, want Forbidden", LabelControlPlane, err)
	}
	if err := ApplyRestrictedLabels(ctx, s.Client(), cfg); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Client().CoreV1().Nodes().Get(ctx, cfg.NodeName, metav1.GetOptions{})
	if got.Labels[LabelControlPlane] != "true" {
		t.Errorf("control-plane label = %q after ApplyRestrictedLabels", got.Labels[LabelControlPlane])
	}
}

func TestReRegisterKeepsWhatOthersAdded(t *testing.T) {
	s := shared.Get(t)
	ctx := testserver.Context(t)
	cfg := nodeConfig(t, s, "ns-reregister")
	cfg.Labels = map[string]string{"example.com/team": "a"}
	cfg.Taints = []v1.Taint{{Key: "example.com/initial", Effect: v1.TaintEffectNoSchedule}}
	first, err := Register(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}

	// An admin labels and taints the node.
	admin := s.Client().CoreV1().Nodes()
	n, _ := admin.Get(ctx, cfg.NodeName, metav1.GetOptions{})
	n.Labels["example.com/owner"] = "admin"
	n.Labels["node-role.kubernetes.io/worker"] = "true"
	n.Labels["kubernetes.io/hostname"] = "tampered"
	n.Spec.Taints = append(n.Spec.Taints, v1.Taint{Key: "example.com/maintenance", Effect: v1.TaintEffectNoExecute})
	if _, err := admin.Update(ctx, n, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}

	// The kubelet restarts with a changed label and no taints.
	cfg.Labels = map[string]string{"example.com/team": "b"}
	cfg.Taints = nil
	cfg.NodeIPs = []net.IP{net.ParseIP("127.0.0.11")}
	again, err := Register(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if again.UID != first.UID {
		t.Error("re-registration replaced the node")
	}
	got, _ := admin.Get(ctx, cfg.NodeName, metav1.GetOptions{})
	for k, v := range map[string]string{
		"example.com/owner": "admin", "node-role.kubernetes.io/worker": "true", // others'
		"example.com/team": "b", "kubernetes.io/hostname": "ns-reregister-host", // ours
	} {
		if got.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, got.Labels[k], v)
		}
	}
	if len(got.Spec.Taints) != 2 {
		t.Errorf("taints = %v, want both kept", got.Spec.Taints)
	}
	if got.Status.Addresses[0].Address != "127.0.0.11" {
		t.Errorf("addresses not reconciled: %v", got.Status.Addresses)
	}
}

func TestRunHeartbeatsAndReportsReadiness(t *testing.T) {
	s := shared.Get(t)
	ctx, cancel := context.WithCancel(testserver.Context(t))
	cfg := nodeConfig(t, s, "ns-run")
	ready := true
	rt := fakeRuntime{name: "containerd", version: "2.4.2", mu: &sync.Mutex{}, ready: &ready}
	cfg.Runtime = rt
	cfg.Pressure = fakePressure{memory: true}
	cfg.ImagesLister = func(context.Context) ([]v1.ContainerImage, error) {
		return []v1.ContainerImage{{Names: []string{"ghcr.io/hanok-dev/pause:3.10"}, SizeBytes: 1 << 20}}, nil
	}
	cfg.leaseInterval = 100 * time.Millisecond
	cfg.statusInterval = 100 * time.Millisecond
	node, err := Register(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	admin := s.Client()
	leases := admin.CoordinationV1().Leases(v1.NamespaceNodeLease)
	var firstRenew time.Time
	poll(t, "lease created and owned by the node", func() bool {
		l, err := leases.Get(ctx, cfg.NodeName, metav1.GetOptions{})
		if err != nil || l.Spec.RenewTime == nil {
			return false
		}
		if *l.Spec.HolderIdentity != cfg.NodeName || *l.Spec.LeaseDurationSeconds != 40 {
			t.Fatalf("lease spec = %+v", l.Spec)
		}
		if len(l.OwnerReferences) != 1 || l.OwnerReferences[0].Kind != "Node" || l.OwnerReferences[0].UID != node.UID {
			return false
		}
		firstRenew = l.Spec.RenewTime.Time
		return true
	})
	poll(t, "lease renewed", func() bool {
		l, err := leases.Get(ctx, cfg.NodeName, metav1.GetOptions{})
		return err == nil && l.Spec.RenewTime.Time.After(firstRenew)
	})

	readyIs := func(want v1.ConditionStatus) func() bool {
		return func() bool {
			n, err := admin.CoreV1().Nodes().Get(ctx, cfg.NodeName, metav1.GetOptions{})
			return err == nil && condition(n.Status.Conditions, v1.NodeReady).Status == want
		}
	}
	poll(t, "memory pressure and images reported", func() bool {
		n, err := admin.CoreV1().Nodes().Get(ctx, cfg.NodeName, metav1.GetOptions{})
		return err == nil && condition(n.Status.Conditions, v1.NodeMemoryPressure).Status == v1.ConditionTrue &&
			len(n.Status.Images) == 1
	})
	rt.set(false)
	poll(t, "Ready false when the network is not ready", readyIs(v1.ConditionFalse))
	n, _ := admin.CoreV1().Nodes().Get(ctx, cfg.NodeName, metav1.GetOptions{})
	if c := condition(n.Status.Conditions, v1.NodeReady); c.Reason != "KubeletNotReady" || c.Message == "" {
		t.Errorf("NotReady condition = %+v", c)
	}
	rt.set(true)
	poll(t, "Ready true again", readyIs(v1.ConditionTrue))

	// A deleted Node comes back.
	if err := admin.CoreV1().Nodes().Delete(ctx, cfg.NodeName, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	poll(t, "node registered again", func() bool {
		n, err := admin.CoreV1().Nodes().Get(ctx, cfg.NodeName, metav1.GetOptions{})
		return err == nil && n.UID != node.UID
	})
}

func poll(t *testing.T, what string, ok func() bool) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, 15*time.Second, true,
		func(context.Context) (bool, error) { return ok(), nil })
	if err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}
