package nodestatus

import (
	"fmt"
	"net"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func condition(conds []v1.NodeCondition, typ v1.NodeConditionType) v1.NodeCondition {
	for _, c := range conds {
		if c.Type == typ {
			return c
		}
	}
	return v1.NodeCondition{}
}

func TestDesiredConditions(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   conditionsInput
		want map[v1.NodeConditionType]string // status/reason
		msg  string                          // Ready's message
	}{
		{
			name: "all good",
			in:   conditionsInput{runtimeReady: true, networkReady: true},
			want: map[v1.NodeConditionType]string{
				v1.NodeReady: "True/KubeletReady", v1.NodeMemoryPressure: "False/KubeletHasSufficientMemory",
				v1.NodeDiskPressure: "False/KubeletHasNoDiskPressure", v1.NodePIDPressure: "False/KubeletHasSufficientPID",
			},
			msg: "kubelet is posting ready status",
		},
		{
			name: "network not ready, all pressures",
			in: conditionsInput{runtimeReady: true, runtimeMessage: "container runtime network not ready: cni config uninitialized",
				memoryPressure: true, diskPressure: true, pidPressure: true},
			want: map[v1.NodeConditionType]string{
				v1.NodeReady: "False/KubeletNotReady", v1.NodeMemoryPressure: "True/KubeletHasInsufficientMemory",
				v1.NodeDiskPressure: "True/KubeletHasDiskPressure", v1.NodePIDPressure: "True/KubeletHasInsufficientPID",
			},
			msg: "container runtime network not ready: cni config uninitialized",
		},
		{
			name: "runtime down, no message",
			in:   conditionsInput{networkReady: true},
			want: map[v1.NodeConditionType]string{v1.NodeReady: "False/KubeletNotReady"},
			msg:  "container runtime is down",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mergeConditions(nil, desiredConditions(tc.in), metav1.Now())
			if len(got) != 4 || got[3].Type != v1.NodeReady || got[0].Type != v1.NodeMemoryPressure {
				t.Errorf("conditions not in upstream's order: %v", got)
			}
			for typ, want := range tc.want {
				c := condition(got, typ)
				if s := fmt.Sprintf("%s/%s", c.Status, c.Reason); s != want {
					t.Errorf("%s = %s, want %s", typ, s, want)
				}
			}
			if m := condition(got, v1.NodeReady).Message; m != tc.msg {
				t.Errorf("Ready message = %q, want %q", m, tc.msg)
			}
		})
	}
}

func TestMergeConditionsTransitionTimes(t *testing.T) {
	t0 := metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	t1 := metav1.NewTime(t0.Add(10 * time.Second))
	t2 := metav1.NewTime(t0.Add(20 * time.Second))
	other := v1.NodeCondition{Type: v1.NodeNetworkUnavailable, Status: v1.ConditionFalse, Reason: "RouteCreated"}
	ready := conditionsInput{runtimeReady: true, networkReady: true}

	c0 := mergeConditions([]v1.NodeCondition{other}, desiredConditions(ready), t0)
	c1 := mergeConditions(c0, desiredConditions(ready), t1)
	r1 := condition(c1, v1.NodeReady)
	if !r1.LastTransitionTime.Equal(&t0) || !r1.LastHeartbeatTime.Equal(&t1) {
		t.Errorf("unchanged Ready: transition %v heartbeat %v, want %v and %v", r1.LastTransitionTime, r1.LastHeartbeatTime, t0, t1)
	}
	c2 := mergeConditions(c1, desiredConditions(conditionsInput{networkReady: true}), t2)
	r2 := condition(c2, v1.NodeReady)
	if r2.Status != v1.ConditionFalse || !r2.LastTransitionTime.Equal(&t2) {
		t.Errorf("flipped Ready: %s at %v, want False at %v", r2.Status, r2.LastTransitionTime, t2)
	}
	if m := condition(c2, v1.NodeMemoryPressure); !m.LastTransitionTime.Equal(&t0) {
		t.Errorf("MemoryPressure transition moved to %v", m.LastTransitionTime)
	}
	if n := condition(c2, v1.NodeNetworkUnavailable); n.Reason != "RouteCreated" {
		t.Errorf("a condition someone else owns was changed: %+v", n)
	}
	if statusChanged(v1.NodeStatus{Conditions: c0}, v1.NodeStatus{Conditions: c1}) {
		t.Error("a heartbeat alone counts as a change")
	}
	if !statusChanged(v1.NodeStatus{Conditions: c1}, v1.NodeStatus{Conditions: c2}) {
		t.Error("Ready flipping is not a change")
	}
}

func TestCapImages(t *testing.T) {
	var imgs []v1.ContainerImage
	for i := range 60 {
		imgs = append(imgs, v1.ContainerImage{
			Names:     []string{"a", "b", "c", "d", "e", "f", "g"}[:1+i%7],
			SizeBytes: int64(i),
		})
	}
	got := capImages(imgs)
	if len(got) != 50 {
		t.Fatalf("kept %d images, want 50", len(got))
	}
	if got[0].SizeBytes != 59 || got[49].SizeBytes != 10 {
		t.Errorf("not the largest, largest first: first %d last %d", got[0].SizeBytes, got[49].SizeBytes)
	}
	for _, img := range got {
		if len(img.Names) > 5 {
			t.Errorf("image with %d names", len(img.Names))
		}
	}
	if len(imgs[59].Names) != 4 {
		t.Error("input modified")
	}
	if capImages(nil) != nil {
		t.Error("no images should be nil")
	}
}

func TestAddresses(t *testing.T) {
	got := addresses([]net.IP{net.ParseIP("10.0.0.5"), net.ParseIP("fd00::5"), net.ParseIP("10.0.0.5")}, "h1")
	want := []v1.NodeAddress{
		{Type: v1.NodeInternalIP, Address: "10.0.0.5"},
		{Type: v1.NodeInternalIP, Address: "fd00::5"},
		{Type: v1.NodeHostName, Address: "h1"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("addresses = %v, want %v", got, want)
	}
	if got := addresses(nil, "h1"); got[len(got)-1] != want[2] {
		t.Errorf("detected addresses: hostname not last: %v", got)
	}
}
