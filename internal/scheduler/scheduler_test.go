package scheduler

import (
	"context"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

func TestUnschedulableThenFits(t *testing.T) {
	e := newEnv(t)
	e.node("small", "1", nil)
	e.node("gpu-1", "8", nil, taint("dedicated=gpu", v1.TaintEffectNoSchedule))
	e.node("gpu-2", "8", nil, taint("dedicated=gpu", v1.TaintEffectNoExecute))
	e.startScheduler(Config{})

	e.pod("big", "2")
	// Upstream's words, preemption's account included (the pod asks for
	// more than small has, so evicting would not help there either).
	want := "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {dedicated: gpu}." +
		" preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
	e.waitEventMessage("big", "FailedScheduling", want)
	// The condition says the same.
	err := wait.PollUntilContextTimeout(e.ctx, 20*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		p, err := e.admin.CoreV1().Pods(e.ns).Get(ctx, "big", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		for _, c := range p.Status.Conditions {
			if c.Type == v1.PodScheduled && c.Status == v1.ConditionFalse && c.Reason == v1.PodReasonUnschedulable && c.Message == want {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("no PodScheduled=False condition: %v", err)
	}
	if !e.unbound("big") {
		t.Fatal("bound to a node it does not fit")
	}
	// A fitting node appears: the pod is scheduled there.
	e.node("large", "4", nil)
	if got := e.waitBound("big"); got != "large" {
		t.Fatalf("bound to %s, want large", got)
	}
	if got := e.waitEvent("big", "Scheduled"); got != "Successfully assigned "+e.ns+"/big to large" {
		t.Fatalf("Scheduled message %q", got)
	}
}

func TestPlacementsHonourFilters(t *testing.T) {
	e := newEnv(t)
	e.node("a", "2", map[string]string{"zone": "z1", "disk": "ssd"})
	e.node("b", "2", map[string]string{"zone": "z1"})
	e.node("c", "2", map[string]string{"zone": "z2"}, taint("team=blue", v1.TaintEffectNoSchedule))
	cordoned := e.node("d", "16", map[string]string{"zone": "z2"})
	cordoned.Spec.Unschedulable = true
	if _, err := e.admin.CoreV1().Nodes().Update(e.ctx, cordoned, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.startScheduler(Config{})

	selector := func(kv ...string) func(*v1.Pod) {
		return func(p *v1.Pod) {
			p.Spec.NodeSelector = map[string]string{}
			for i := 0; i+1 < len(kv); i += 2 {
				p.Spec.NodeSelector[kv[i]] = kv[i+1]
			}
		}
	}
	tolerate := func(p *v1.Pod) {
		p.Spec.Tolerations = []v1.Toleration{{Key: "team", Operator: v1.TolerationOpEqual, Value: "blue", Effect: v1.TaintEffectNoSchedule}}
	}
	hostPort := func(p *v1.Pod) {
		p.Spec.Containers[0].Ports = []v1.ContainerPort{{ContainerPort: 80, HostPort: 8080}}
	}
	notIn := func(nodes ...string) func(*v1.Pod) {
		return func(p *v1.Pod) {
			p.Spec.Affinity = &v1.Affinity{NodeAffinity: &v1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &v1.NodeSelector{
				NodeSelectorTerms: []v1.NodeSelectorTerm{{MatchExpressions: []v1.NodeSelectorRequirement{{Key: v1.LabelHostname, Operator: v1.NodeSelectorOpNotIn, Values: nodes}}}}}}}
		}
	}

	e.pod("ssd", "", selector("disk", "ssd"))
	e.pod("blue", "", selector("zone", "z2"), tolerate)
	e.pod("port-1", "", hostPort, notIn("c", "d"))
	e.pod("port-2", "", hostPort, notIn("c", "d"))
	if got := e.waitBound("ssd"); got != "a" {
		t.Errorf("ssd on %s, want a", got)
	}
	if got := e.waitBound("blue"); got != "c" {
		t.Errorf("blue on %s, want c (d is cordoned)", got)
	}
	p1, p2 := e.waitBound("port-1"), e.waitBound("port-2")
	if p1 == p2 || (p1 != "a" && p1 != "b") || (p2 != "a" && p2 != "b") {
		t.Errorf("host-port pods on %s and %s, want a and b", p1, p2)
	}

	// Fill a and b: each has 2 cpus; three 1-cpu pods that avoid c and d
	// fit only as two plus one, the assumed cache keeping count.
	for _, name := range []string{"cpu-1", "cpu-2", "cpu-3", "cpu-4"} {
		e.pod(name, "1", notIn("c", "d"))
	}
	count := map[string]int{}
	for _, name := range []string{"cpu-1", "cpu-2", "cpu-3", "cpu-4"} {
		count[e.waitBound(name)]++
	}
	if count["a"] != 2 || count["b"] != 2 {
		t.Errorf("cpu pods per node %v, want 2 on a and b", count)
	}
	e.pod("cpu-5", "1", notIn("c", "d"))
	want := "0/4 nodes are available: 1 node(s) had untolerated taint {team: blue}, 1 node(s) were unschedulable, 2 Insufficient cpu." +
		" preemption: 0/4 nodes are available: 2 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling."
	e.waitEventMessage("cpu-5", "FailedScheduling", want)
	// A pod deleted from a frees room: cpu-5 takes it.
	var onA string
	for _, name := range []string{"cpu-1", "cpu-2", "cpu-3", "cpu-4"} {
		if p, _ := e.admin.CoreV1().Pods(e.ns).Get(e.ctx, name, metav1.GetOptions{}); p.Spec.NodeName == "a" {
			onA = name
		}
	}
	if err := e.admin.CoreV1().Pods(e.ns).Delete(e.ctx, onA, metav1.DeleteOptions{GracePeriodSeconds: new(int64)}); err != nil {
		t.Fatal(err)
	}
	if got := e.waitBound("cpu-5"); got != "a" {
		t.Errorf("cpu-5 on %s, want a", got)
	}
}

func TestOtherSchedulerNamesLeftAlone(t *testing.T) {
	e := newEnv(t)
	e.node("a", "2", nil)
	e.startScheduler(Config{SchedulerNames: []string{"default-scheduler", "batch"}})
	named := func(n string) func(*v1.Pod) { return func(p *v1.Pod) { p.Spec.SchedulerName = n } }
	e.pod("other", "", named("someone-else"))
	e.pod("batch", "", named("batch"))
	e.pod("default", "")
	e.waitBound("default")
	e.waitBound("batch")
	if e.unbound("batch") == true {
		t.Fatal("batch profile did not schedule")
	}
	// "Scheduled" comes from the profile's name.
	list, err := e.admin.CoreV1().Events(e.ns).List(e.ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range list.Items {
		if ev.InvolvedObject.Name == "batch" && ev.Reason == "Scheduled" && ev.Source.Component != "batch" {
			t.Errorf("batch event from %q", ev.Source.Component)
		}
	}
	if !e.unbound("other") {
		t.Fatal("a pod for another scheduler was bound")
	}

	// A gated pod waits; once its gates are gone it is scheduled.
	gated := e.pod("gated", "", func(p *v1.Pod) { p.Spec.SchedulingGates = []v1.PodSchedulingGate{{Name: "example.com/wait"}} })
	e.pod("after-gated", "")
	e.waitBound("after-gated")
	if !e.unbound("gated") {
		t.Fatal("a gated pod was bound")
	}
	gated, err = e.admin.CoreV1().Pods(e.ns).Get(e.ctx, gated.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	gated.Spec.SchedulingGates = nil
	if _, err := e.admin.CoreV1().Pods(e.ns).Update(e.ctx, gated, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.waitBound("gated")
}
