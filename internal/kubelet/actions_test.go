package kubelet

import (
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func testPod(policy v1.RestartPolicy, init []v1.Container, apps ...string) *v1.Pod {
	p := &v1.Pod{}
	p.Name, p.Namespace, p.UID = "p", "ns", "uid1"
	p.Spec.RestartPolicy = policy
	p.Spec.InitContainers = init
	for _, a := range apps {
		p.Spec.Containers = append(p.Spec.Containers, v1.Container{Name: a, Image: "img"})
	}
	return p
}

func sidecar(name string) v1.Container {
	always := v1.ContainerRestartPolicyAlways
	return v1.Container{Name: name, Image: "img", RestartPolicy: &always}
}

func readySandbox(id string) *sandboxState {
	return &sandboxState{ID: id, Ready: true, IPs: []string{"10.0.0.5"}, CreatedAt: t0}
}

func running(name, sandbox string, restarts int) *containerState {
	return &containerState{ID: name + "-" + sandbox + "-" + string(rune('0'+restarts)), Name: name, SandboxID: sandbox,
		RestartCount: restarts, State: runtimeapi.ContainerState_CONTAINER_RUNNING,
		Hash: hashContainer(&v1.Container{Name: name, Image: "img"}), StartedAt: t0}
}

func exited(name, sandbox string, restarts int, code int32, finished time.Time) *containerState {
	c := running(name, sandbox, restarts)
	c.State, c.ExitCode, c.FinishedAt = runtimeapi.ContainerState_CONTAINER_EXITED, code, finished
	return c
}

func state(sb []*sandboxState, cs ...*containerState) *podState {
	s := &podState{UID: "uid1", Sandboxes: sb, Containers: cs}
	s.sortNewestFirst()
	return s
}

// summary renders actions compactly for table comparison.
func summary(a podActions) string {
	var parts []string
	if a.KillPod {
		parts = append(parts, "killpod")
	}
	if a.CreateSandbox {
		parts = append(parts, "sandbox")
	}
	for _, k := range a.Kill {
		parts = append(parts, "kill:"+k.Name)
	}
	for _, s := range a.Start {
		p := "start:" + s.Container.Name
		if s.Restart {
			p = "restart:" + s.Container.Name
		}
		parts = append(parts, p+"#"+string(rune('0'+s.RestartCount)))
	}
	for n, w := range a.Waiting {
		parts = append(parts, "wait:"+n+":"+w.Reason)
	}
	return strings.Join(parts, " ")
}

func TestComputePodActions(t *testing.T) {
	sb := []*sandboxState{readySandbox("s1")}
	deadSB := []*sandboxState{{ID: "s1", Ready: false, CreatedAt: t0}}
	now := t0.Add(time.Minute)
	noBackOff := func(string) time.Duration { return 0 }
	backOff20 := func(string) time.Duration { return 20 * time.Second }
	cases := []struct {
		name    string
		pod     *v1.Pod
		state   *podState
		probes  probeView
		backOff func(string) time.Duration
		want    string
	}{
		{"new pod: sandbox and every app container",
			testPod(v1.RestartPolicyAlways, nil, "a", "b"), state(nil), probeView{}, noBackOff,
			"sandbox start:a#0 start:b#0"},
		{"new pod with init containers: only the first init",
			testPod(v1.RestartPolicyAlways, []v1.Container{{Name: "i1"}, {Name: "i2"}}, "a"), state(nil), probeView{}, noBackOff,
			"sandbox start:i1#0"},
		{"all running: nothing to do",
			testPod(v1.RestartPolicyAlways, nil, "a"), state(sb, running("a", "s1", 0)), probeView{}, noBackOff,
			""},
		{"first init done: second init",
			testPod(v1.RestartPolicyAlways, []v1.Container{{Name: "i1"}, {Name: "i2"}}, "a"),
			state(sb, exited("i1", "s1", 0, 0, t0)), probeView{}, noBackOff,
			"start:i2#0"},
		{"init running: wait",
			testPod(v1.RestartPolicyAlways, []v1.Container{{Name: "i1"}}, "a"),
			state(sb, running("i1", "s1", 0)), probeView{}, noBackOff,
			""},
		{"inits done: app containers",
			testPod(v1.RestartPolicyAlways, []v1.Container{{Name: "i1"}, {Name: "i2"}}, "a"),
			state(sb, exited("i1", "s1", 0, 0, t0), exited("i2", "s1", 0, 0, t0)), probeView{}, noBackOff,
			"start:a#0"},
		{"failed init with Never: nothing more",
			testPod(v1.RestartPolicyNever, []v1.Container{{Name: "i1"}}, "a"),
			state(sb, exited("i1", "s1", 0, 1, t0)), probeView{}, noBackOff,
			""},
		{"failed init with OnFailure: restart it",
			testPod(v1.RestartPolicyOnFailure, []v1.Container{{Name: "i1"}}, "a"),
			state(sb, exited("i1", "s1", 0, 1, t0)), probeView{}, noBackOff,
			"restart:i1#1"},
		{"failed init in back-off: wait",
			testPod(v1.RestartPolicyAlways, []v1.Container{{Name: "i1"}}, "a"),
			state(sb, exited("i1", "s1", 0, 1, now.Add(-5*time.Second))), probeView{}, backOff20,
			"wait:i1:CrashLoopBackOff"},
		{"sidecar starts before the next init and is not waited out",
			testPod(v1.RestartPolicyAlways, []v1.Container{sidecar("side"), {Name: "i2"}}, "a"),
			state(sb), probeView{}, noBackOff,
			"start:side#0"},
		{"sidecar running: next init",
			testPod(v1.RestartPolicyAlways, []v1.Container{sidecar("side"), {Name: "i2"}}, "a"),
			state(sb, running("side", "s1", 0)), probeView{}, noBackOff,
			"start:i2#0"},
		{"sidecar waiting for its startup probe: hold",
			testPod(v1.RestartPolicyAlways, []v1.Container{sidecar("side"), {Name: "i2"}}, "a"),
			state(sb, running("side", "s1", 0)), probeView{NotStarted: map[string]bool{"side": true}}, noBackOff,
			""},
		{"dead sidecar after init restarts alongside the apps",
			testPod(v1.RestartPolicyAlways, []v1.Container{sidecar("side")}, "a"),
			state(sb, exited("side", "s1", 0, 1, t0), running("a", "s1", 0)), probeView{}, noBackOff,
			"restart:side#1"},
		{"crashed app with Always restarts",
			testPod(v1.RestartPolicyAlways, nil, "a"),
			state(sb, exited("a", "s1", 2, 1, t0)), probeView{}, noBackOff,
			"restart:a#3"},
		{"crashed app in back-off waits",
			testPod(v1.RestartPolicyAlways, nil, "a"),
			state(sb, exited("a", "s1", 2, 1, now.Add(-10*time.Second))), probeView{}, backOff20,
			"wait:a:CrashLoopBackOff"},
		{"back-off over: restart",
			testPod(v1.RestartPolicyAlways, nil, "a"),
			state(sb, exited("a", "s1", 2, 1, now.Add(-30*time.Second))), probeView{}, backOff20,
			"restart:a#3"},
		{"completed app with OnFailure stays done",
			testPod(v1.RestartPolicyOnFailure, nil, "a"),
			state(sb, exited("a", "s1", 0, 0, t0)), probeView{}, noBackOff,
			""},
		{"failed app with Never stays done",
			testPod(v1.RestartPolicyNever, nil, "a"),
			state(sb, exited("a", "s1", 0, 1, t0)), probeView{}, noBackOff,
			""},
		{"liveness failure kills",
			testPod(v1.RestartPolicyAlways, nil, "a"),
			state(sb, running("a", "s1", 0)), probeView{Failed: map[string]string{"a": "failed liveness"}}, noBackOff,
			"kill:a"},
		{"changed image kills",
			func() *v1.Pod {
				p := testPod(v1.RestartPolicyAlways, nil, "a")
				p.Spec.Containers[0].Image = "img:2"
				return p
			}(),
			state(sb, running("a", "s1", 0)), probeView{}, noBackOff,
			"kill:a"},
		{"unknown running container is killed",
			testPod(v1.RestartPolicyAlways, nil, "a"),
			state(sb, running("a", "s1", 0), running("zombie", "s1", 0)), probeView{}, noBackOff,
			"kill:zombie"},
		{"dead sandbox: kill all, new sandbox, counts keep growing",
			testPod(v1.RestartPolicyAlways, nil, "a"),
			state(deadSB, exited("a", "s1", 1, 137, t0)), probeView{}, noBackOff,
			"killpod sandbox start:a#2"},
		{"dead sandbox of a finished Never pod: not recreated",
			testPod(v1.RestartPolicyNever, nil, "a"),
			state(deadSB, exited("a", "s1", 0, 0, t0)), probeView{}, noBackOff,
			""},
		{"dead sandbox with OnFailure: succeeded containers are not rerun",
			testPod(v1.RestartPolicyOnFailure, nil, "a", "b"),
			state(deadSB, exited("a", "s1", 0, 0, t0), exited("b", "s1", 0, 1, t0)), probeView{}, noBackOff,
			"killpod sandbox start:b#1"},
		{"created-but-never-started container is replaced",
			testPod(v1.RestartPolicyAlways, nil, "a"),
			state(sb, func() *containerState {
				c := running("a", "s1", 0)
				c.State = runtimeapi.ContainerState_CONTAINER_CREATED
				return c
			}()), probeView{}, noBackOff,
			"kill:a start:a#1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := summary(computePodActions(decisionInput{Pod: tc.pod, State: tc.state, Probes: tc.probes, BackOff: tc.backOff, Now: now}))
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCrashLoopMessage(t *testing.T) {
	p := testPod(v1.RestartPolicyAlways, nil, "a")
	now := t0.Add(time.Minute)
	acts := computePodActions(decisionInput{Pod: p, State: state([]*sandboxState{readySandbox("s1")}, exited("a", "s1", 1, 1, now.Add(-time.Second))),
		BackOff: func(string) time.Duration { return 20 * time.Second }, Now: now})
	want := "back-off 20s restarting failed container=a pod=p_ns(uid1)"
	if got := acts.Waiting["a"].Message; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}

func TestBackOffDoublesAndResets(t *testing.T) {
	b := newBackOff()
	now := t0
	var got []time.Duration
	for i := 0; i < 7; i++ {
		got = append(got, b.next("k", now))
		now = now.Add(time.Second)
	}
	want := []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second, 160 * time.Second, 300 * time.Second, 300 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("delays %v, want %v", got, want)
		}
	}
	if d := b.delay("k", now.Add(11*time.Minute)); d != 0 {
		t.Errorf("delay after 11 quiet minutes = %v, want 0 (reset)", d)
	}
	if d := b.next("k", now.Add(11*time.Minute)); d != 10*time.Second {
		t.Errorf("next after reset = %v", d)
	}
	if !inBackOff(10*time.Second, t0, t0.Add(5*time.Second)) || inBackOff(10*time.Second, t0, t0.Add(11*time.Second)) {
		t.Error("inBackOff window wrong")
	}
}
