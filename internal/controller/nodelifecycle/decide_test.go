package nodelifecycle

import (
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var t0 = time.Unix(10_000, 0)

func nodeWithReady(status corev1.ConditionStatus, heartbeat time.Time) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "n", CreationTimestamp: metav1.NewTime(t0.Add(-time.Hour))},
		Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{
			{Type: corev1.NodeReady, Status: status, LastHeartbeatTime: metav1.NewTime(heartbeat)},
		}},
	}
}

func leaseRenewed(at time.Time) *coordinationv1.Lease {
	ts := metav1.NewMicroTime(at)
	return &coordinationv1.Lease{Spec: coordinationv1.LeaseSpec{RenewTime: &ts}}
}

func TestHealth(t *testing.T) {
	grace, startup := 40*time.Second, 60*time.Second
	node := nodeWithReady(corev1.ConditionTrue, t0.Add(-10*time.Minute)) // an old heartbeat
	lease := leaseRenewed(t0.Add(-10 * time.Minute))

	// First sight: a full grace from now, whatever the timestamps say.
	h := observe(nil, node, lease, t0)
	if expired(h, node, t0.Add(40*time.Second), grace, startup) {
		t.Fatal("expired within the grace after first sight")
	}
	if !expired(h, node, t0.Add(41*time.Second), grace, startup) {
		t.Fatal("not expired after the grace")
	}
	// A lease renewal seen at t0+30s restarts the clock.
	h = observe(h, node, leaseRenewed(t0.Add(-9*time.Minute)), t0.Add(30*time.Second))
	if expired(h, node, t0.Add(70*time.Second), grace, startup) || !expired(h, node, t0.Add(71*time.Second), grace, startup) {
		t.Fatalf("lease renewal: probe at %v", h.probe)
	}
	// The same lease again changes nothing.
	h2 := observe(h, node, leaseRenewed(t0.Add(-9*time.Minute)), t0.Add(60*time.Second))
	if !h2.probe.Equal(h.probe) {
		t.Fatal("an unchanged lease moved the probe")
	}
	// A new Ready heartbeat restarts it too.
	h3 := observe(h2, nodeWithReady(corev1.ConditionTrue, t0), nil, t0.Add(65*time.Second))
	if !h3.probe.Equal(t0.Add(65 * time.Second)) {
		t.Fatal("a new heartbeat did not move the probe")
	}

	// A node that never posted status counts from its creation, with the
	// startup grace.
	fresh := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "new", CreationTimestamp: metav1.NewTime(t0)}}
	hf := observe(nil, fresh, nil, t0.Add(30*time.Second))
	if expired(hf, fresh, t0.Add(60*time.Second), grace, startup) || !expired(hf, fresh, t0.Add(61*time.Second), grace, startup) {
		t.Fatalf("startup grace: probe %v", hf.probe)
	}
}

func TestMarkUnknown(t *testing.T) {
	node := nodeWithReady(corev1.ConditionTrue, t0)
	node.Status.Conditions = append(node.Status.Conditions,
		corev1.NodeCondition{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionUnknown, Reason: "kept"},
		corev1.NodeCondition{Type: corev1.NodeNetworkUnavailable, Status: corev1.ConditionFalse})
	status, changed := markUnknown(node, t0.Add(time.Minute))
	if !changed {
		t.Fatal("no change")
	}
	want := map[corev1.NodeConditionType]string{
		corev1.NodeReady:              "Unknown/NodeStatusUnknown",
		corev1.NodeMemoryPressure:     "Unknown/kept", // already Unknown: untouched
		corev1.NodeDiskPressure:       "Unknown/NodeStatusNeverUpdated",
		corev1.NodePIDPressure:        "Unknown/NodeStatusNeverUpdated",
		corev1.NodeNetworkUnavailable: "False/",
	}
	for _, c := range status.Conditions {
		if got := string(c.Status) + "/" + c.Reason; got != want[c.Type] {
			t.Errorf("%s: %s, want %s", c.Type, got, want[c.Type])
		}
	}
	if r := condition(&status, corev1.NodeReady); !r.LastTransitionTime.Time.Equal(t0.Add(time.Minute)) || !r.LastHeartbeatTime.Time.Equal(t0) {
		t.Errorf("Ready times: %+v", r)
	}
	node.Status = status
	if _, changed := markUnknown(node, t0.Add(2*time.Minute)); changed {
		t.Error("marking again changed something")
	}
}

func taintSet(taints []corev1.Taint) map[string]bool {
	out := map[string]bool{}
	for _, t := range taints {
		out[t.Key+":"+string(t.Effect)] = true
	}
	return out
}

func TestDesiredTaints(t *testing.T) {
	user := corev1.Taint{Key: "example.com/dedicated", Value: "x", Effect: corev1.TaintEffectNoExecute}
	earlier := metav1.NewTime(t0.Add(-time.Hour))
	tests := []struct {
		name    string
		node    func() *corev1.Node
		want    []string
		changed bool
	}{
		{"ready: none", func() *corev1.Node { return nodeWithReady(corev1.ConditionTrue, t0) }, nil, false},
		{"not ready", func() *corev1.Node { return nodeWithReady(corev1.ConditionFalse, t0) },
			[]string{"node.kubernetes.io/not-ready:NoSchedule", "node.kubernetes.io/not-ready:NoExecute"}, true},
		{"unknown, user taint kept", func() *corev1.Node {
			n := nodeWithReady(corev1.ConditionUnknown, t0)
			n.Spec.Taints = []corev1.Taint{user}
			return n
		}, []string{"example.com/dedicated:NoExecute", "node.kubernetes.io/unreachable:NoSchedule", "node.kubernetes.io/unreachable:NoExecute"}, true},
		{"back to ready: managed taints removed", func() *corev1.Node {
			n := nodeWithReady(corev1.ConditionTrue, t0)
			n.Spec.Taints = []corev1.Taint{user, {Key: corev1.TaintNodeUnreachable, Effect: corev1.TaintEffectNoExecute, TimeAdded: &earlier}}
			return n
		}, []string{"example.com/dedicated:NoExecute"}, true},
		{"pressure and unschedulable", func() *corev1.Node {
			n := nodeWithReady(corev1.ConditionTrue, t0)
			n.Spec.Unschedulable = true
			n.Status.Conditions = append(n.Status.Conditions,
				corev1.NodeCondition{Type: corev1.NodeDiskPressure, Status: corev1.ConditionTrue},
				corev1.NodeCondition{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse})
			return n
		}, []string{"node.kubernetes.io/disk-pressure:NoSchedule", "node.kubernetes.io/unschedulable:NoSchedule"}, true},
		{"no Ready condition yet: no NoExecute taint", func() *corev1.Node { return &corev1.Node{} }, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := tt.node()
			got, changed := desiredTaints(node, t0)
			if changed != tt.changed {
				t.Errorf("changed = %v, want %v", changed, tt.changed)
			}
			gotSet, wantSet := taintSet(got), map[string]bool{}
			for _, w := range tt.want {
				wantSet[w] = true
			}
			if len(gotSet) != len(wantSet) {
				t.Fatalf("taints %v, want %v", gotSet, wantSet)
			}
			for k := range wantSet {
				if !gotSet[k] {
					t.Errorf("taints %v, want %v", gotSet, wantSet)
				}
			}
			for _, taint := range got {
				if managed(taint) && taint.Effect == corev1.TaintEffectNoExecute && (taint.TimeAdded == nil || !taint.TimeAdded.Time.Equal(t0)) {
					t.Errorf("new NoExecute taint %v not stamped", taint)
				}
			}
			// Applying the result again is stable.
			node.Spec.Taints = got
			if _, changed := desiredTaints(node, t0.Add(time.Minute)); changed {
				t.Error("desired taints are not stable")
			}
		})
	}
}

func TestEvictionTime(t *testing.T) {
	added := metav1.NewTime(t0)
	unreachable := corev1.Taint{Key: corev1.TaintNodeUnreachable, Effect: corev1.TaintEffectNoExecute, TimeAdded: &added}
	notReady := corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute, TimeAdded: &added}
	secs := func(s int64) *int64 { return &s }
	tol := func(key string, s *int64) corev1.Toleration {
		return corev1.Toleration{Key: key, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: s}
	}
	now := t0.Add(10 * time.Second)
	tests := []struct {
		name   string
		taints []corev1.Taint
		tols   []corev1.Toleration
		at     time.Time
		never  bool
	}{
		{"not tolerated: now", []corev1.Taint{unreachable}, nil, now, false},
		{"tolerated for ever", []corev1.Taint{unreachable}, []corev1.Toleration{tol(corev1.TaintNodeUnreachable, nil)}, time.Time{}, true},
		{"default 300s", []corev1.Taint{unreachable}, []corev1.Toleration{tol(corev1.TaintNodeUnreachable, secs(300))}, t0.Add(300 * time.Second), false},
		{"shortest of two tolerations", []corev1.Taint{unreachable}, []corev1.Toleration{tol(corev1.TaintNodeUnreachable, secs(300)), tol("", secs(60))}, t0.Add(60 * time.Second), false},
		{"earliest over taints", []corev1.Taint{unreachable, notReady},
			[]corev1.Toleration{tol(corev1.TaintNodeUnreachable, secs(300)), tol(corev1.TaintNodeNotReady, secs(30))}, t0.Add(30 * time.Second), false},
		{"one taint not tolerated", []corev1.Taint{unreachable, notReady}, []corev1.Toleration{tol(corev1.TaintNodeUnreachable, nil)}, now, false},
		{"NoSchedule toleration does not count", []corev1.Taint{unreachable},
			[]corev1.Toleration{{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}}, now, false},
		{"negative seconds: at once", []corev1.Taint{unreachable}, []corev1.Toleration{tol(corev1.TaintNodeUnreachable, secs(-5))}, t0, false},
	}
	for _, tt := range tests {
		at, never := evictionTime(tt.taints, tt.tols, now)
		if never != tt.never || (!never && !at.Equal(tt.at)) {
			t.Errorf("%s: at %v never %v, want %v %v", tt.name, at, never, tt.at, tt.never)
		}
	}
}
