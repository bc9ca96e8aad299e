package scheduler

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// Two schedulers on one API server: only the Lease holder binds; stopped,
// it hands over and the other binds.
func TestLeaderElection(t *testing.T) {
	e := newEnv(t)
	e.node("a", "8", nil)
	stops := map[string]func(){
		"sched-1": e.startScheduler(Config{LeaderElect: true, LeaderIdentity: "sched-1", LeaderTiming: shortLeases()}),
		"sched-2": e.startScheduler(Config{LeaderElect: true, LeaderIdentity: "sched-2", LeaderTiming: shortLeases()}),
	}
	for i := 0; i < 5; i++ {
		e.pod(podName("first", i), "")
	}
	for i := 0; i < 5; i++ {
		e.waitBound(podName("first", i))
	}
	holder := e.leaseHolder()
	if stops[holder] == nil {
		t.Fatalf("lease held by %q", holder)
	}
	for i := 0; i < 5; i++ {
		if got := e.scheduledBy(podName("first", i)); got != holder {
			t.Errorf("%s bound by %q, leader is %q", podName("first", i), got, holder)
		}
	}

	stops[holder]()
	other := "sched-1"
	if holder == other {
		other = "sched-2"
	}
	err := wait.PollUntilContextTimeout(e.ctx, 50*time.Millisecond, 2*shortLeases().LeaseDuration+time.Second, true, func(context.Context) (bool, error) {
		return e.leaseHolder() == other, nil
	})
	if err != nil {
		t.Fatalf("%s did not take the lease (holder %q)", other, e.leaseHolder())
	}
	e.pod("after", "")
	e.waitBound("after")
	if got := e.scheduledBy("after"); got != other {
		t.Errorf("after bound by %q, want %q", got, other)
	}
}

func podName(prefix string, i int) string { return prefix + "-" + string(rune('a'+i)) }

func (e *env) leaseHolder() string {
	l, err := e.admin.CoordinationV1().Leases("kube-system").Get(e.ctx, "kube-scheduler", metav1.GetOptions{})
	if err != nil || l.Spec.HolderIdentity == nil {
		return ""
	}
	return *l.Spec.HolderIdentity
}

// scheduledBy is the reporting instance of the pod's Scheduled event.
func (e *env) scheduledBy(pod string) string {
	e.waitEvent(pod, "Scheduled")
	list, err := e.admin.CoreV1().Events(e.ns).List(e.ctx, metav1.ListOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, ev := range list.Items {
		if ev.InvolvedObject.Name == pod && ev.Reason == "Scheduled" {
			return ev.Source.Host
		}
	}
	return ""
}
