package nodelifecycle

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestComputeZoneState(t *testing.T) {
	tests := []struct {
		ready, notReady int
		want            zoneState
	}{
		{3, 0, stateNormal},
		{0, 1, stateFullDisruption},
		{0, 0, stateNormal},
		{1, 1, stateNormal},
		{2, 2, stateNormal},              // not more than two not ready
		{2, 3, statePartialDisruption},   // 60%
		{10, 3, stateNormal},             // 23%
		{45, 55, statePartialDisruption}, // 55%
	}
	for _, tt := range tests {
		if got := computeZoneState(tt.ready, tt.notReady, 0.55); got != tt.want {
			t.Errorf("%d ready, %d not: %s, want %s", tt.ready, tt.notReady, got, tt.want)
		}
	}
}

func zonedNode(name, zone string, ready corev1.ConditionStatus) *corev1.Node {
	n := nodeWithReady(ready, t0)
	n.Name = name
	if zone != "" {
		n.Labels = map[string]string{corev1.LabelTopologyZone: zone}
	}
	return n
}

func TestZoneStatesAndRates(t *testing.T) {
	o := Options{}.withDefaults()
	nodes := []*corev1.Node{
		zonedNode("a1", "a", corev1.ConditionTrue), zonedNode("a2", "a", corev1.ConditionUnknown),
		zonedNode("b1", "b", corev1.ConditionFalse),
	}
	states, sizes := zoneStates(nodes, o.UnhealthyZoneThreshold)
	za, zb := zoneKey(nodes[0]), zoneKey(nodes[2])
	if states[za] != stateNormal || states[zb] != stateFullDisruption || sizes[za] != 2 || sizes[zb] != 1 {
		t.Fatalf("states %v sizes %v", states, sizes)
	}
	if allFullyDisrupted(states) {
		t.Error("one zone has a ready node: not every zone is disrupted")
	}
	if !allFullyDisrupted(map[string]zoneState{"": stateFullDisruption}) || allFullyDisrupted(nil) {
		t.Error("allFullyDisrupted")
	}
	for _, tt := range []struct {
		state zoneState
		size  int
		want  float64
	}{
		{stateNormal, 3, 0.1}, {stateFullDisruption, 3, 0.1},
		{statePartialDisruption, 10, 0}, {statePartialDisruption, 51, 0.01},
	} {
		if got := evictionRate(tt.state, tt.size, o); got != tt.want {
			t.Errorf("%s of %d: rate %v, want %v", tt.state, tt.size, got, tt.want)
		}
	}
}

func TestLimitNoExecute(t *testing.T) {
	ts := metav1.NewTime(t0)
	unreachable := corev1.Taint{Key: corev1.TaintNodeUnreachable, Effect: corev1.TaintEffectNoExecute, TimeAdded: &ts}
	notReady := corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute, TimeAdded: &ts}
	noSched := corev1.Taint{Key: corev1.TaintNodeUnreachable, Effect: corev1.TaintEffectNoSchedule}
	user := corev1.Taint{Key: "example.com/x", Effect: corev1.TaintEffectNoExecute}
	desired := []corev1.Taint{user, noSched, unreachable}
	count := func(list []corev1.Taint) int { return len(list) }
	tests := []struct {
		name    string
		current []corev1.Taint
		mode    noExecuteMode
		want    int
		adds    bool
	}{
		{"add", []corev1.Taint{user}, addNoExecute, 3, true},
		{"rate limited: not added", []corev1.Taint{user}, keepNoExecute, 2, true},
		{"rate limited: a swap is fine", []corev1.Taint{user, notReady}, keepNoExecute, 3, false},
		{"disrupted: removed, user's kept", []corev1.Taint{user, unreachable}, removeNoExecute, 2, false},
	}
	for _, tt := range tests {
		got := limitNoExecute(tt.current, desired, tt.mode)
		if count(got) != tt.want {
			t.Errorf("%s: %v", tt.name, got)
		}
		if addsNoExecute(tt.current, desired) != tt.adds {
			t.Errorf("%s: addsNoExecute = %v", tt.name, !tt.adds)
		}
	}
}
