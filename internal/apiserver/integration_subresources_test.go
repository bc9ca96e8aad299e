package apiserver_test

import (
	"errors"
	"testing"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/builtin"
)

// TestScale: /scale of every kind that has it reads and writes
// spec.replicas as an autoscaling/v1 Scale, by GET, PUT and each patch type.
func TestScale(t *testing.T) {
	s := server(t)
	ns := s.CreateNamespace(t)
	dc := dynamicClient(t, s)
	for _, res := range builtin.Resources() {
		if !res.HasSubresource("scale") {
			continue
		}
		t.Run(resourceKey(res), func(t *testing.T) {
			t.Parallel()
			ctx := ctxFor(t)
			rc := dc.Resource(gvrOf(res)).Namespace(ns)
			obj, err := rc.Create(ctx, minimalObject(t, res, ns, "scaled"), metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			rest := typedRESTClient(t, s, res, "application/json")
			scale := &autoscalingv1.Scale{}
			if err := rest.Get().Namespace(ns).Resource(res.Plural).Name("scaled").SubResource("scale").Do(ctx).Into(scale); err != nil {
				t.Fatalf("get scale: %v", err)
			}
			if scale.Spec.Replicas != 1 || scale.Name != "scaled" || scale.ResourceVersion != obj.GetResourceVersion() {
				t.Errorf("scale %+v", scale)
			}
			if scale.Status.Selector != "app=a" {
				t.Errorf("scale selector %q, want app=a", scale.Status.Selector)
			}

			scale.Spec.Replicas = 3
			out := &autoscalingv1.Scale{}
			if err := rest.Put().Namespace(ns).Resource(res.Plural).Name("scaled").SubResource("scale").Body(scale).Do(ctx).Into(out); err != nil {
				t.Fatalf("put scale: %v", err)
			}
			if out.Spec.Replicas != 3 {
				t.Errorf("put scale answered %d replicas", out.Spec.Replicas)
			}
			for i, p := range []struct {
				pt   types.PatchType
				body string
			}{
				{types.MergePatchType, `{"spec":{"replicas":4}}`},
				{types.StrategicMergePatchType, `{"spec":{"replicas":5}}`},
				{types.JSONPatchType, `[{"op":"replace","path":"/spec/replicas","value":6}]`},
			} {
				if err := rest.Patch(p.pt).Namespace(ns).Resource(res.Plural).Name("scaled").SubResource("scale").Body([]byte(p.body)).Do(ctx).Into(out); err != nil {
					t.Fatalf("%s scale: %v", p.pt, err)
				}
				if out.Spec.Replicas != int32(4+i) {
					t.Errorf("%s scale answered %d replicas, want %d", p.pt, out.Spec.Replicas, 4+i)
				}
			}
			after, err := rc.Get(ctx, "scaled", metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if r, _, _ := unstructuredInt(after.Object, "spec", "replicas"); r != 6 {
				t.Errorf("spec.replicas %d after scaling, want 6", r)
			}
			if after.GetGeneration() <= obj.GetGeneration() {
				t.Errorf("generation %d after scaling, want above %d", after.GetGeneration(), obj.GetGeneration())
			}
			scale.Spec.Replicas = -1
			scale.ResourceVersion = ""
			err = rest.Put().Namespace(ns).Resource(res.Plural).Name("scaled").SubResource("scale").Body(scale).Do(ctx).Error()
			if !apierrors.IsInvalid(err) {
				t.Errorf("negative replicas: %v, want 422", err)
			}
			err = rest.Get().Namespace(ns).Resource(res.Plural).Name("missing").SubResource("scale").Do(ctx).Error()
			if !apierrors.IsNotFound(err) {
				t.Errorf("scale of a missing object: %v, want 404", err)
			}
		})
	}
}

func unstructuredInt(obj map[string]interface{}, path ...string) (int64, bool, error) {
	cur := interface{}(obj)
	for _, p := range path {
		m, ok := cur.(map[string]interface{})
		if !ok {
			return 0, false, nil
		}
		cur = m[p]
	}
	n, ok := cur.(int64)
	return n, ok, nil
}

// TestPodBinding: a binding places a pod once; a second one conflicts.
func TestPodBinding(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	ns := s.CreateNamespace(t)
	pods := s.Client().CoreV1().Pods(ns)
	if _, err := pods.Create(ctx, testPod("unbound", "", nil), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	bind := func(node string) error {
		return pods.Bind(ctx, &corev1.Binding{
			ObjectMeta: metav1.ObjectMeta{Name: "unbound", Annotations: map[string]string{"scheduler": "test"}},
			Target:     corev1.ObjectReference{Kind: "Node", Name: node},
		}, metav1.CreateOptions{})
	}
	if err := bind("node-1"); err != nil {
		t.Fatalf("binding: %v", err)
	}
	p, err := pods.Get(ctx, "unbound", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Spec.NodeName != "node-1" || p.Annotations["scheduler"] != "test" {
		t.Errorf("bound pod: node %q annotations %v", p.Spec.NodeName, p.Annotations)
	}
	scheduled := false
	for _, c := range p.Status.Conditions {
		scheduled = scheduled || (c.Type == corev1.PodScheduled && c.Status == corev1.ConditionTrue)
	}
	if !scheduled {
		t.Errorf("no PodScheduled=True condition: %v", p.Status.Conditions)
	}
	if err := bind("node-2"); !apierrors.IsConflict(err) {
		t.Errorf("second binding: %v, want 409", err)
	}
	if err := pods.Bind(ctx, &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Name: "nobody"}, Target: corev1.ObjectReference{Name: "node-1"}}, metav1.CreateOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("binding a missing pod: %v, want 404", err)
	}
	if p, _ := pods.Get(ctx, "unbound", metav1.GetOptions{}); p.Spec.NodeName != "node-1" {
		t.Errorf("node changed to %q", p.Spec.NodeName)
	}
}

// TestPodEviction: an eviction deletes the pod as a DELETE would.
func TestPodEviction(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	ns := s.CreateNamespace(t)
	pods := s.Client().CoreV1().Pods(ns)
	for _, name := range []string{"pending", "running"} {
		node := ""
		if name == "running" {
			node = "node-1"
		}
		if _, err := pods.Create(ctx, testPod(name, node, nil), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	evict := func(name string) error {
		return pods.EvictV1(ctx, &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}})
	}
	if err := evict("pending"); err != nil {
		t.Fatalf("evicting: %v", err)
	}
	if _, err := pods.Get(ctx, "pending", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("evicted unscheduled pod: %v, want NotFound", err)
	}
	if err := evict("running"); err != nil {
		t.Fatalf("evicting: %v", err)
	}
	if p, err := pods.Get(ctx, "running", metav1.GetOptions{}); err != nil || p.DeletionTimestamp == nil {
		t.Errorf("evicted pod on a node: %v, deletionTimestamp %v, want marked for graceful deletion", err, p.GetDeletionTimestamp())
	}
	if err := evict("missing"); !apierrors.IsNotFound(err) {
		t.Errorf("evicting a missing pod: %v, want 404", err)
	}
}

// TestEvictionHonoursDisruptionBudget: an eviction takes one of the budget's
// allowed disruptions (recording the pod), and is refused with 429 and the
// DisruptionBudget cause once none is left; a pod not running is never
// held by a budget.
func TestEvictionHonoursDisruptionBudget(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	ns := s.CreateNamespace(t)
	client := s.Client()
	pods := client.CoreV1().Pods(ns)
	labels := map[string]string{"app": "db"}
	for _, name := range []string{"db-0", "db-1", "db-pending"} {
		p := testPod(name, "node-1", labels)
		if name == "db-pending" {
			p.Spec.NodeName = ""
		}
		created, err := pods.Create(ctx, p, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if name == "db-pending" {
			continue
		}
		created.Status.Phase = corev1.PodRunning
		created.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
		if _, err := pods.UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	one := intstr.FromInt32(1)
	pdb, err := client.PolicyV1().PodDisruptionBudgets(ns).Create(ctx, &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Name: "db"},
		Spec:       policyv1.PodDisruptionBudgetSpec{MinAvailable: &one, Selector: &metav1.LabelSelector{MatchLabels: labels}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// What the disruption controller would write: 2 healthy, 1 needed.
	pdb.Status = policyv1.PodDisruptionBudgetStatus{ObservedGeneration: pdb.Generation, DisruptionsAllowed: 1,
		CurrentHealthy: 2, DesiredHealthy: 1, ExpectedPods: 2}
	if _, err := client.PolicyV1().PodDisruptionBudgets(ns).UpdateStatus(ctx, pdb, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	evict := func(name string) error {
		return pods.EvictV1(ctx, &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}})
	}
	if err := evict("db-0"); err != nil {
		t.Fatalf("first eviction: %v", err)
	}
	got, err := client.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, "db", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, recorded := got.Status.DisruptedPods["db-0"]; got.Status.DisruptionsAllowed != 0 || !recorded {
		t.Fatalf("budget after an eviction: allowed %d, disrupted %v", got.Status.DisruptionsAllowed, got.Status.DisruptedPods)
	}
	err = evict("db-1")
	var status apierrors.APIStatus
	if !errors.As(err, &status) || status.Status().Code != 429 || status.Status().Details == nil ||
		len(status.Status().Details.Causes) != 1 || status.Status().Details.Causes[0].Type != policyv1.DisruptionBudgetCause ||
		status.Status().Details.Causes[0].Message != "The disruption budget db needs 1 healthy pods and has 2 currently" {
		t.Fatalf("second eviction: %v (%+v), want 429 with the DisruptionBudget cause", err, status)
	}
	if p, err := pods.Get(ctx, "db-1", metav1.GetOptions{}); err != nil || p.DeletionTimestamp != nil {
		t.Fatalf("refused eviction touched the pod: %v", err)
	}
	if err := evict("db-pending"); err != nil {
		t.Fatalf("a pending pod is not held by its budget: %v", err)
	}
}
