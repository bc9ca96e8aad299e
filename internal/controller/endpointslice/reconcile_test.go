package endpointslice

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func svc() *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns", UID: "svc-uid", Labels: map[string]string{"tier": "front"}},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "web"}, ClusterIP: "10.0.0.1",
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080), Protocol: corev1.ProtocolTCP}}}}
}

func pods(n int, ready bool) []*corev1.Pod {
	var out []*corev1.Pod
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	for i := range n {
		name := fmt.Sprintf("p%03d", i)
		out = append(out, &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", UID: types.UID(name)},
			Spec:       corev1.PodSpec{NodeName: "n1"},
			Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: fmt.Sprintf("10.1.%d.%d", i/256, i%256),
				Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: st}}},
		})
	}
	return out
}

// apply plays plan against slices as the API server would, naming new
// slices s0, s1, ...
func apply(slices []*discoveryv1.EndpointSlice, plan Plan, next *int) []*discoveryv1.EndpointSlice {
	byName := map[string]*discoveryv1.EndpointSlice{}
	for _, s := range slices {
		byName[s.Name] = s
	}
	for _, s := range plan.Delete {
		delete(byName, s.Name)
	}
	for _, s := range plan.Update {
		byName[s.Name] = s
	}
	for _, s := range plan.Create {
		c := s.DeepCopy()
		c.Name = fmt.Sprintf("s%d", *next)
		*next++
		byName[c.Name] = c
	}
	var out []*discoveryv1.EndpointSlice
	for _, s := range byName {
		out = append(out, s)
	}
	return out
}

func count(slices []*discoveryv1.EndpointSlice) (total, biggest int) {
	for _, s := range slices {
		total += len(s.Endpoints)
		biggest = max(biggest, len(s.Endpoints))
	}
	return
}

func TestReconcile(t *testing.T) {
	s := svc()
	next := 0
	var slices []*discoveryv1.EndpointSlice

	// 250 endpoints: three slices, none over 100.
	plan := Reconcile(s, Desired(s, pods(250, true), nil), slices, 100)
	if len(plan.Create) != 3 || len(plan.Update)+len(plan.Delete) != 0 {
		t.Fatalf("first sync: %d creates, %d updates, %d deletes", len(plan.Create), len(plan.Update), len(plan.Delete))
	}
	slices = apply(slices, plan, &next)
	if total, biggest := count(slices); total != 250 || biggest > 100 {
		t.Fatalf("total %d biggest %d", total, biggest)
	}
	for _, sl := range slices {
		if sl.Labels[discoveryv1.LabelManagedBy] != ManagedBy || sl.Labels[discoveryv1.LabelServiceName] != "web" || sl.Labels["tier"] != "front" {
			t.Fatalf("labels %v", sl.Labels)
		}
		if ref := metav1.GetControllerOf(sl); ref == nil || ref.UID != "svc-uid" || ref.Kind != "Service" {
			t.Fatalf("owner %v", sl.OwnerReferences)
		}
		if *sl.Ports[0].Port != 8080 || *sl.Ports[0].Name != "http" {
			t.Fatalf("ports %+v", sl.Ports)
		}
	}

	// Unchanged: no writes at all.
	if p := Reconcile(s, Desired(s, pods(250, true), nil), slices, 100); len(p.Create)+len(p.Update)+len(p.Delete) != 0 {
		t.Fatalf("steady state writes: %+v", p)
	}

	// One pod turns unready: one slice updated.
	ps := pods(250, true)
	ps[7].Status.Conditions[0].Status = corev1.ConditionFalse
	plan = Reconcile(s, Desired(s, ps, nil), slices, 100)
	if len(plan.Update) != 1 || len(plan.Create)+len(plan.Delete) != 0 {
		t.Fatalf("one pod unready: %d/%d/%d", len(plan.Create), len(plan.Update), len(plan.Delete))
	}
	slices = apply(slices, plan, &next)

	// Shrink to 30 and grow to 40: no new slice, room reused.
	plan = Reconcile(s, Desired(s, pods(30, true), nil), slices, 100)
	slices = apply(slices, plan, &next)
	plan = Reconcile(s, Desired(s, pods(40, true), nil), slices, 100)
	if len(plan.Create) != 0 {
		t.Fatalf("growth with room left created %d slices", len(plan.Create))
	}
	slices = apply(slices, plan, &next)
	if total, _ := count(slices); total != 40 || len(slices) != 1 {
		t.Fatalf("after shrink and growth: %d endpoints in %d slices", total, len(slices))
	}

	// No pods: one empty placeholder.
	plan = Reconcile(s, Desired(s, nil, nil), slices, 100)
	slices = apply(slices, plan, &next)
	if total, _ := count(slices); len(slices) != 1 || total != 0 {
		t.Fatalf("placeholder: %d slices, %d endpoints", len(slices), total)
	}
	if p := Reconcile(s, nil, slices, 100); len(p.Create)+len(p.Update)+len(p.Delete) != 0 {
		t.Fatalf("placeholder steady state writes: %+v", p)
	}
}

func TestDesiredConditions(t *testing.T) {
	s := svc()
	ps := pods(3, true)
	ps[1].Status.Conditions[0].Status = corev1.ConditionFalse
	now := metav1.Now()
	ps[2].DeletionTimestamp = &now
	groups := Desired(s, ps, func(string) string { return "zone-a" })
	if len(groups) != 1 || len(groups[0].Endpoints) != 3 {
		t.Fatalf("groups %+v", groups)
	}
	type cond struct{ ready, serving, terminating bool }
	want := []cond{{true, true, false}, {false, false, false}, {false, true, true}}
	for i, ep := range groups[0].Endpoints {
		got := cond{*ep.Conditions.Ready, *ep.Conditions.Serving, *ep.Conditions.Terminating}
		if got != want[i] {
			t.Errorf("%s: got %+v, want %+v", ep.TargetRef.Name, got, want[i])
		}
		if *ep.Zone != "zone-a" || *ep.NodeName != "n1" {
			t.Errorf("zone/node %v %v", ep.Zone, ep.NodeName)
		}
	}
	s.Spec.PublishNotReadyAddresses = true
	for _, ep := range Desired(s, ps, nil)[0].Endpoints {
		if !*ep.Conditions.Ready {
			t.Errorf("publishNotReadyAddresses: %s not ready", ep.TargetRef.Name)
		}
	}
	s.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv6Protocol}
	if g := Desired(s, ps, nil); len(g) != 0 {
		t.Errorf("IPv6 service, IPv4 pods: %+v", g)
	}
}

func TestPlaceholderReused(t *testing.T) {
	s := svc()
	next := 0
	slices := apply(nil, Reconcile(s, nil, nil, 100), &next)
	if len(slices) != 1 || len(slices[0].Endpoints) != 0 {
		t.Fatalf("placeholder: %+v", slices)
	}
	plan := Reconcile(s, Desired(s, pods(3, true), nil), slices, 100)
	if len(plan.Create) != 0 || len(plan.Delete) != 0 || len(plan.Update) != 1 || plan.Update[0].Name != slices[0].Name {
		t.Fatalf("the placeholder must be filled, not replaced: %d/%d/%d", len(plan.Create), len(plan.Update), len(plan.Delete))
	}
}
