package core

import (
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestNamespaceCreate(t *testing.T) {
	ns := &v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a"}, Status: v1.NamespaceStatus{Phase: v1.NamespaceTerminating}}
	expectErrors(t, create(namespaceStrategy{}, ns), "")
	if ns.Status.Phase != v1.NamespaceActive {
		t.Errorf("phase = %q, want Active", ns.Status.Phase)
	}
	if len(ns.Spec.Finalizers) != 1 || ns.Spec.Finalizers[0] != v1.FinalizerKubernetes {
		t.Errorf("finalizers = %v, want [kubernetes]", ns.Spec.Finalizers)
	}
	if ns.Labels[v1.LabelMetadataName] != "team-a" {
		t.Errorf("labels = %v", ns.Labels)
	}

	tests := []struct {
		name string
		ns   v1.Namespace
		want string
	}{
		{"dotted name", v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a.b"}}, `metadata.name: Invalid value: "a.b"`},
		{"namespaced namespace", v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: "b"}},
			"metadata.namespace: Forbidden: not allowed on this type"},
		{"bad finalizer", v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a"}, Spec: v1.NamespaceSpec{Finalizers: []v1.FinalizerName{"custom"}}},
			`spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectErrors(t, create(namespaceStrategy{}, tt.ns.DeepCopy()), tt.want)
		})
	}
}

func TestNamespaceUpdateAndStatus(t *testing.T) {
	old := stored(t, namespaceStrategy{}, &v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a"}}).(*v1.Namespace)
	ns := old.DeepCopy()
	ns.Spec.Finalizers = nil
	ns.Status.Phase = v1.NamespaceTerminating
	expectErrors(t, update(namespaceStrategy{}, ns, old), "")
	if len(ns.Spec.Finalizers) != 1 || ns.Status.Phase != v1.NamespaceActive {
		t.Errorf("update changed finalizers %v or phase %q", ns.Spec.Finalizers, ns.Status.Phase)
	}

	st := old.DeepCopy()
	st.Status.Phase = v1.NamespaceTerminating
	namespaceStrategy{}.PrepareForStatusUpdate(ctx, st, old)
	expectErrors(t, namespaceStrategy{}.ValidateStatusUpdate(ctx, st, old),
		"status.phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty")

	row := namespaceStrategy{}.TableRow(old)
	if row[0] != "Active" || row[1] != "120m" {
		t.Errorf("row = %v", row)
	}
}

func testNode() *v1.Node {
	return &v1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "node-1", Labels: map[string]string{"node-role.kubernetes.io/control-plane": ""}},
		Spec:       v1.NodeSpec{PodCIDR: "10.244.0.0/24"},
		Status: v1.NodeStatus{
			Capacity:   v1.ResourceList{v1.ResourceCPU: resource.MustParse("2"), v1.ResourcePods: resource.MustParse("110")},
			Conditions: []v1.NodeCondition{{Type: v1.NodeReady, Status: v1.ConditionTrue}},
			Addresses:  []v1.NodeAddress{{Type: v1.NodeInternalIP, Address: "192.168.1.10"}},
			NodeInfo: v1.NodeSystemInfo{KubeletVersion: "v1.37.2", OSImage: "Debian GNU/Linux 13", KernelVersion: "6.12.0",
				ContainerRuntimeVersion: "containerd://2.1.0"},
		},
	}
}

func TestNodeCreate(t *testing.T) {
	node := testNode()
	expectErrors(t, create(nodeStrategy{}, node), "")
	if node.Status.Capacity == nil || node.Status.Allocatable == nil {
		t.Errorf("kubelet-registered status lost or allocatable not defaulted: %+v", node.Status)
	}
	if len(node.Spec.PodCIDRs) != 1 || node.Spec.PodCIDRs[0] != "10.244.0.0/24" {
		t.Errorf("podCIDRs = %v", node.Spec.PodCIDRs)
	}

	tests := []struct {
		name   string
		mutate func(*v1.Node)
		want   string
	}{
		{"bad podCIDR", func(n *v1.Node) { n.Spec.PodCIDR = "10.244.0.0/33" }, `spec.podCIDRs[0]: Invalid value: "10.244.0.0/33"`},
		{"bad taint effect", func(n *v1.Node) { n.Spec.Taints = []v1.Taint{{Key: "k", Effect: "Evict"}} },
			`spec.taints[0].effect: Unsupported value: "Evict"`},
		{"taint without effect", func(n *v1.Node) { n.Spec.Taints = []v1.Taint{{Key: "k"}} }, "spec.taints[0].effect: Required value"},
		{"duplicate taint", func(n *v1.Node) {
			n.Spec.Taints = []v1.Taint{{Key: "k", Effect: v1.TaintEffectNoSchedule}, {Key: "k", Value: "v", Effect: v1.TaintEffectNoSchedule}}
		}, "spec.taints[1]: Duplicate value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := testNode()
			tt.mutate(n)
			expectErrors(t, create(nodeStrategy{}, n), tt.want)
		})
	}
}

func TestNodeUpdate(t *testing.T) {
	tests := []struct {
		name   string
		cidr   string
		mutate func(*v1.Node)
		want   string
	}{
		{"assign podCIDR once", "", func(n *v1.Node) { n.Spec.PodCIDR = "10.244.1.0/24" }, ""},
		{"podCIDR immutable once set", "10.244.0.0/24", func(n *v1.Node) { n.Spec.PodCIDR, n.Spec.PodCIDRs = "10.244.9.0/24", nil },
			`spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid`},
		{"cordon", "10.244.0.0/24", func(n *v1.Node) { n.Spec.Unschedulable = true }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := testNode()
			n.Spec.PodCIDR = tt.cidr
			old := stored(t, nodeStrategy{}, n).(*v1.Node)
			node := old.DeepCopy()
			tt.mutate(node)
			expectErrors(t, update(nodeStrategy{}, node, old), tt.want)
			if node.Generation != 0 {
				t.Errorf("generation %d after a spec update: nodes have none", node.Generation)
			}
		})
	}
}

func TestNodeTableAndFields(t *testing.T) {
	n := testNode()
	n.CreationTimestamp = metav1.NewTime(time.Now().Add(-48 * time.Hour))
	n.Spec.Unschedulable = true
	want := []interface{}{"Ready,SchedulingDisabled", "control-plane", "2d", "v1.37.2", "192.168.1.10", "<none>",
		"Debian GNU/Linux 13", "6.12.0", "containerd://2.1.0"}
	got := nodeStrategy{}.TableRow(n)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("cell %d = %v, want %v", i, got[i], want[i])
		}
	}
	n.Status.Conditions = nil
	n.Labels = nil
	if got := (nodeStrategy{}).TableRow(n); got[0] != "Unknown,SchedulingDisabled" || got[1] != "<none>" {
		t.Errorf("no conditions: %v", got[:2])
	}
	if f := (nodeStrategy{}).SelectableFields(n); f["spec.unschedulable"] != "true" {
		t.Errorf("spec.unschedulable = %q", f["spec.unschedulable"])
	}
}

func TestNamespaceFinalize(t *testing.T) {
	old := stored(t, namespaceStrategy{}, &v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a"}}).(*v1.Namespace)
	req := &v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a", Labels: map[string]string{"x": "y"}}}
	PrepareNamespaceFinalize(req, old)
	expectErrors(t, ValidateNamespaceFinalize(req, old), "")
	if len(req.Spec.Finalizers) != 0 || req.Labels["x"] != "" || req.Status.Phase != v1.NamespaceActive {
		t.Errorf("finalize took more than finalizers: %+v", req)
	}
}
