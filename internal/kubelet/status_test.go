package kubelet

import (
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func statusOf(pod *v1.Pod, st *podState, mod func(*statusInput)) v1.PodStatus {
	in := statusInput{Pod: pod, State: st, RuntimeName: "containerd", Ready: map[string]bool{}, NotStarted: map[string]bool{},
		Waiting: map[string]waitingReason{}, HostIPs: []string{"192.168.1.2"}, Now: t0.Add(time.Minute)}
	if mod != nil {
		mod(&in)
	}
	return computePodStatus(in)
}

func cond(s v1.PodStatus, t v1.PodConditionType) *v1.PodCondition {
	for i := range s.Conditions {
		if s.Conditions[i].Type == t {
			return &s.Conditions[i]
		}
	}
	return nil
}

func TestPodPhase(t *testing.T) {
	sb := []*sandboxState{readySandbox("s1")}
	cases := []struct {
		name  string
		pod   *v1.Pod
		state *podState
		want  v1.PodPhase
	}{
		{"nothing yet", testPod(v1.RestartPolicyAlways, nil, "a"), state(nil), v1.PodPending},
		{"running", testPod(v1.RestartPolicyAlways, nil, "a"), state(sb, running("a", "s1", 0)), v1.PodRunning},
		{"one of two running", testPod(v1.RestartPolicyAlways, nil, "a", "b"), state(sb, running("a", "s1", 0)), v1.PodPending},
		{"exited with Always is still running", testPod(v1.RestartPolicyAlways, nil, "a"), state(sb, exited("a", "s1", 0, 0, t0)), v1.PodRunning},
		{"all succeeded with OnFailure", testPod(v1.RestartPolicyOnFailure, nil, "a", "b"),
			state(sb, exited("a", "s1", 0, 0, t0), exited("b", "s1", 0, 0, t0)), v1.PodSucceeded},
		{"failed with OnFailure restarts", testPod(v1.RestartPolicyOnFailure, nil, "a"), state(sb, exited("a", "s1", 0, 1, t0)), v1.PodRunning},
		{"failed with Never", testPod(v1.RestartPolicyNever, nil, "a", "b"),
			state(sb, exited("a", "s1", 0, 0, t0), exited("b", "s1", 0, 3, t0)), v1.PodFailed},
		{"init running", testPod(v1.RestartPolicyAlways, []v1.Container{{Name: "i"}}, "a"), state(sb, running("i", "s1", 0)), v1.PodPending},
		{"init failed with Never", testPod(v1.RestartPolicyNever, []v1.Container{{Name: "i"}}, "a"), state(sb, exited("i", "s1", 0, 1, t0)), v1.PodFailed},
		{"init failed with Always", testPod(v1.RestartPolicyAlways, []v1.Container{{Name: "i"}}, "a"), state(sb, exited("i", "s1", 0, 1, t0)), v1.PodPending},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := statusOf(tc.pod, tc.state, nil).Phase; got != tc.want {
				t.Errorf("phase %s, want %s", got, tc.want)
			}
		})
	}
}

func TestTerminalPhaseSticks(t *testing.T) {
	p := testPod(v1.RestartPolicyAlways, nil, "a")
	p.Status.Phase, p.Status.Reason = v1.PodFailed, "Evicted"
	s := statusOf(p, state([]*sandboxState{readySandbox("s1")}, running("a", "s1", 0)), nil)
	if s.Phase != v1.PodFailed || s.Reason != "Evicted" {
		t.Errorf("phase %s reason %s", s.Phase, s.Reason)
	}
	s = statusOf(testPod(v1.RestartPolicyAlways, nil, "a"), state(nil), func(in *statusInput) {
		in.Terminal = &terminalReason{Reason: "DeadlineExceeded", Message: "too long"}
	})
	if s.Phase != v1.PodFailed || s.Reason != "DeadlineExceeded" || s.Message != "too long" {
		t.Errorf("terminal: %s %s %s", s.Phase, s.Reason, s.Message)
	}
	if c := cond(s, v1.PodReady); c == nil || c.Reason != "PodFailed" {
		t.Errorf("ready condition %+v", c)
	}
}

func TestContainerStatuses(t *testing.T) {
	sb := []*sandboxState{readySandbox("s1")}
	p := testPod(v1.RestartPolicyAlways, nil, "a")

	// Running after a crash: lastState holds the crash.
	prev := exited("a", "s1", 0, 137, t0)
	prev.Reason = "OOMKilled"
	prev.ID = "old"
	cur := running("a", "s1", 1)
	cur.ImageRef = "docker.io/library/img@sha256:abc"
	s := statusOf(p, state(sb, prev, cur), func(in *statusInput) { in.Ready["a"] = true })
	cs := s.ContainerStatuses[0]
	if cs.State.Running == nil || cs.RestartCount != 1 || !cs.Ready || cs.Started == nil || !*cs.Started {
		t.Fatalf("running status %+v", cs)
	}
	if cs.ContainerID != "containerd://"+cur.ID || cs.ImageID != cur.ImageRef {
		t.Errorf("ids: %q %q", cs.ContainerID, cs.ImageID)
	}
	if lt := cs.LastTerminationState.Terminated; lt == nil || lt.Reason != "OOMKilled" || lt.ExitCode != 137 || lt.ContainerID != "containerd://old" {
		t.Errorf("last state %+v", lt)
	}
	if s.PodIP != "10.0.0.5" || len(s.PodIPs) != 1 || s.HostIP != "192.168.1.2" {
		t.Errorf("ips: %q %v %q", s.PodIP, s.PodIPs, s.HostIP)
	}

	// In back-off: waiting with the crash as lastState.
	dead := exited("a", "s1", 1, 1, t0)
	s = statusOf(p, state(sb, dead), func(in *statusInput) {
		in.Waiting["a"] = waitingReason{Reason: "CrashLoopBackOff", Message: "back-off 10s ..."}
	})
	cs = s.ContainerStatuses[0]
	if cs.State.Waiting == nil || cs.State.Waiting.Reason != "CrashLoopBackOff" || cs.LastTerminationState.Terminated == nil ||
		cs.LastTerminationState.Terminated.Reason != "Error" {
		t.Errorf("back-off status %+v", cs)
	}
	if s.Phase != v1.PodRunning {
		t.Errorf("crash-looping pod phase %s, want Running", s.Phase)
	}

	// Completed containers say so; nanoseconds are dropped as the API does.
	done := exited("a", "s1", 0, 0, t0.Add(1500*time.Millisecond))
	s = statusOf(testPod(v1.RestartPolicyNever, nil, "a"), state(sb, done), nil)
	term := s.ContainerStatuses[0].State.Terminated
	if term == nil || term.Reason != "Completed" || !term.FinishedAt.Time.Equal(t0.Add(time.Second)) {
		t.Errorf("terminated %+v", term)
	}

	// Image pull errors show as waiting.
	s = statusOf(p, state(sb), func(in *statusInput) {
		in.Waiting["a"] = waitingReason{Reason: "ErrImagePull", Message: "not found"}
	})
	if w := s.ContainerStatuses[0].State.Waiting; w == nil || w.Reason != "ErrImagePull" {
		t.Errorf("waiting %+v", w)
	}
}

func TestConditions(t *testing.T) {
	sb := []*sandboxState{readySandbox("s1")}
	old := metav1.NewTime(t0.Add(-time.Hour))
	p := testPod(v1.RestartPolicyAlways, nil, "a", "b")
	p.Status.Conditions = []v1.PodCondition{
		{Type: v1.PodScheduled, Status: v1.ConditionTrue, LastTransitionTime: old},
		{Type: v1.PodInitialized, Status: v1.ConditionTrue, LastTransitionTime: old},
	}
	s := statusOf(p, state(sb, running("a", "s1", 0), running("b", "s1", 0)), func(in *statusInput) {
		in.Ready["a"] = true
	})
	if c := cond(s, v1.PodScheduled); c == nil || c.Status != v1.ConditionTrue {
		t.Errorf("PodScheduled not kept: %+v", c)
	}
	if c := cond(s, v1.PodInitialized); c == nil || c.Status != v1.ConditionTrue || !c.LastTransitionTime.Equal(&old) {
		t.Errorf("Initialized transition time not kept: %+v", c)
	}
	if c := cond(s, v1.ContainersReady); c == nil || c.Status != v1.ConditionFalse || c.Message != "containers with unready status: [b]" {
		t.Errorf("ContainersReady %+v", c)
	}
	if c := cond(s, v1.PodReadyToStartContainers); c == nil || c.Status != v1.ConditionTrue {
		t.Errorf("PodReadyToStartContainers %+v", c)
	}

	// Readiness gates hold Ready back until their condition is True.
	p.Spec.ReadinessGates = []v1.PodReadinessGate{{ConditionType: "example.com/lb"}}
	all := func(in *statusInput) { in.Ready["a"], in.Ready["b"] = true, true }
	s = statusOf(p, state(sb, running("a", "s1", 0), running("b", "s1", 0)), all)
	if c := cond(s, v1.ContainersReady); c.Status != v1.ConditionTrue {
		t.Errorf("ContainersReady %+v", c)
	}
	if c := cond(s, v1.PodReady); c.Status != v1.ConditionFalse || c.Reason != "ReadinessGatesNotReady" {
		t.Errorf("Ready with missing gate %+v", c)
	}
	p.Status.Conditions = append(p.Status.Conditions, v1.PodCondition{Type: "example.com/lb", Status: v1.ConditionTrue})
	s = statusOf(p, state(sb, running("a", "s1", 0), running("b", "s1", 0)), all)
	if c := cond(s, v1.PodReady); c.Status != v1.ConditionTrue {
		t.Errorf("Ready with gate True %+v", c)
	}
	if c := cond(s, "example.com/lb"); c == nil {
		t.Error("gate condition dropped")
	}

	// Init containers not done: Initialized False, apps PodInitializing.
	pi := testPod(v1.RestartPolicyAlways, []v1.Container{{Name: "i1"}, {Name: "i2"}}, "a")
	s = statusOf(pi, state(sb, exited("i1", "s1", 0, 0, t0), running("i2", "s1", 0)), nil)
	if c := cond(s, v1.PodInitialized); c.Status != v1.ConditionFalse || c.Message != "containers with incomplete status: [i2]" {
		t.Errorf("Initialized %+v", c)
	}
	if w := s.ContainerStatuses[0].State.Waiting; w == nil || w.Reason != "PodInitializing" {
		t.Errorf("app waiting %+v", w)
	}

	// A pod waiting for its startup probe is neither started nor ready.
	s = statusOf(testPod(v1.RestartPolicyAlways, nil, "a"), state(sb, running("a", "s1", 0)), func(in *statusInput) {
		in.Ready["a"] = true
		in.NotStarted["a"] = true
	})
	if cs := s.ContainerStatuses[0]; cs.Ready || *cs.Started {
		t.Errorf("not-started container %+v", cs)
	}
}

func TestQOSClass(t *testing.T) {
	res := func(req, lim map[v1.ResourceName]string) v1.ResourceRequirements {
		r := v1.ResourceRequirements{Requests: v1.ResourceList{}, Limits: v1.ResourceList{}}
		for k, v := range req {
			r.Requests[k] = mustQ(v)
		}
		for k, v := range lim {
			r.Limits[k] = mustQ(v)
		}
		return r
	}
	cases := []struct {
		name string
		res  []v1.ResourceRequirements
		want v1.PodQOSClass
	}{
		{"none", []v1.ResourceRequirements{{}}, v1.PodQOSBestEffort},
		{"equal limits", []v1.ResourceRequirements{res(map[v1.ResourceName]string{"cpu": "1", "memory": "1Gi"}, map[v1.ResourceName]string{"cpu": "1", "memory": "1Gi"})}, v1.PodQOSGuaranteed},
		{"limits only", []v1.ResourceRequirements{res(nil, map[v1.ResourceName]string{"cpu": "1", "memory": "1Gi"})}, v1.PodQOSGuaranteed},
		{"request below limit", []v1.ResourceRequirements{res(map[v1.ResourceName]string{"cpu": "500m", "memory": "1Gi"}, map[v1.ResourceName]string{"cpu": "1", "memory": "1Gi"})}, v1.PodQOSBurstable},
		{"one container without limits", []v1.ResourceRequirements{
			res(map[v1.ResourceName]string{"cpu": "1", "memory": "1Gi"}, map[v1.ResourceName]string{"cpu": "1", "memory": "1Gi"}), {}}, v1.PodQOSBurstable},
		{"only memory request", []v1.ResourceRequirements{res(map[v1.ResourceName]string{"memory": "64Mi"}, nil)}, v1.PodQOSBurstable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := &v1.Pod{}
			for i, r := range tc.res {
				p.Spec.Containers = append(p.Spec.Containers, v1.Container{Name: string(rune('a' + i)), Resources: r})
			}
			if got := qosClass(p); got != tc.want {
				t.Errorf("got %s want %s", got, tc.want)
			}
		})
	}
}

func TestTerminatingPhase(t *testing.T) {
	sb := []*sandboxState{readySandbox("s1")}
	p := testPod(v1.RestartPolicyAlways, nil, "a", "b")
	s := statusOf(p, state(sb, exited("a", "s1", 0, 0, t0), exited("b", "s1", 0, 0, t0)), func(in *statusInput) { in.Terminating = true })
	if s.Phase != v1.PodSucceeded {
		t.Errorf("all exited 0: %s", s.Phase)
	}
	s = statusOf(p, state(sb, exited("a", "s1", 0, 0, t0), exited("b", "s1", 0, 137, t0)), func(in *statusInput) { in.Terminating = true })
	if s.Phase != v1.PodFailed {
		t.Errorf("one killed: %s", s.Phase)
	}
	s = statusOf(p, state(sb, exited("a", "s1", 0, 0, t0), exited("b", "s1", 0, 137, t0)), nil)
	if s.Phase != v1.PodRunning {
		t.Errorf("not terminating, Always: %s", s.Phase)
	}
}
