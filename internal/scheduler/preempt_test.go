package scheduler

import (
	"context"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// A high-priority pod evicts the one lower-priority pod it needs gone,
// is nominated to the node, and lands there once the victim is gone.
func TestPreemption(t *testing.T) {
	e := newEnv(t)
	e.node("a", "2", nil)
	class := func(name string, value int32) string {
		pc := &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: e.ns + "-" + name}, Value: value}
		if _, err := e.admin.SchedulingV1().PriorityClasses().Create(e.ctx, pc, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = e.admin.SchedulingV1().PriorityClasses().Delete(context.Background(), pc.Name, metav1.DeleteOptions{})
		})
		return pc.Name
	}
	low, mid, high := class("low", 10), class("mid", 20), class("high", 1000)
	withClass := func(name string, value int32) func(*v1.Pod) {
		return func(p *v1.Pod) { p.Spec.PriorityClassName = name; p.Spec.Priority = &value }
	}
	e.startScheduler(Config{})

	e.pod("low-1", "1", withClass(mid, 20))
	e.pod("low-2", "1", withClass(low, 10))
	e.waitBound("low-1")
	e.waitBound("low-2")

	e.pod("high", "1", withClass(high, 1000))
	// Play the kubelet: finish the victim's graceful deletion.
	var victim string
	err := wait.PollUntilContextTimeout(e.ctx, 20*time.Millisecond, 20*time.Second, true, func(ctx context.Context) (bool, error) {
		for _, name := range []string{"low-1", "low-2"} {
			p, err := e.admin.CoreV1().Pods(e.ns).Get(ctx, name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				victim = name
				return true, nil
			}
			if err != nil {
				return false, err
			}
			if p.DeletionTimestamp != nil {
				victim = name
				return true, e.admin.CoreV1().Pods(e.ns).Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: new(int64)})
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("no victim: %v", err)
	}
	if victim != "low-2" {
		t.Errorf("victim %s, want low-2 (the lowest priority)", victim)
	}
	if got := e.waitBound("high"); got != "a" {
		t.Fatalf("high on %s", got)
	}
	if msg := e.waitEvent(victim, "Preempted"); !strings.HasPrefix(msg, "Preempted by pod ") || !strings.HasSuffix(msg, " on node a") {
		t.Errorf("Preempted event %q", msg)
	}
	p, err := e.admin.CoreV1().Pods(e.ns).Get(e.ctx, "high", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Status.NominatedNodeName != "a" {
		t.Errorf("nominatedNodeName %q, want a", p.Status.NominatedNodeName)
	}
	if e.unbound("low-1") {
		t.Error("low-1 lost its node")
	}
}
