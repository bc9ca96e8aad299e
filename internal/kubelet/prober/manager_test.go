package prober

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// unit is a probe "second" in these tests.
const unit = 10 * time.Millisecond

func newTestManager(t *testing.T, rt Runtime) *Manager {
	m := NewManager(rt)
	m.second = unit
	t.Cleanup(func() {
		m.mu.Lock()
		uids := make([]types.UID, 0, len(m.pods))
		for uid := range m.pods {
			uids = append(uids, uid)
		}
		m.mu.Unlock()
		for _, uid := range uids {
			m.RemovePod(uid)
		}
	})
	return m
}

func execProbeSpec(word string, success, failure int32) *v1.Probe {
	return &v1.Probe{
		ProbeHandler:     v1.ProbeHandler{Exec: &v1.ExecAction{Command: []string{word}}},
		PeriodSeconds:    1,
		SuccessThreshold: success,
		FailureThreshold: failure,
		TimeoutSeconds:   1,
	}
}

func podWith(uid types.UID, c v1.Container) *v1.Pod {
	pod := podWithIP("127.0.0.1")
	pod.UID = uid
	pod.Spec.Containers = []v1.Container{c}
	return pod
}

// nextUpdate waits for an update (the probe periods are the only clock).
func nextUpdate(t *testing.T, m *Manager) Update {
	t.Helper()
	select {
	case u := <-m.Updates():
		return u
	case <-time.After(10 * time.Second):
		t.Fatal("no update")
		return Update{}
	}
}

// eventually polls cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(unit / 2)
	}
}

func TestReadinessThresholds(t *testing.T) {
	var code atomic.Int32
	code.Store(200)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(int(code.Load()))
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	port, _ := strconv.Atoi(u.Port())

	m := newTestManager(t, nil)
	probe := &v1.Probe{
		ProbeHandler:     v1.ProbeHandler{HTTPGet: &v1.HTTPGetAction{Path: "/", Port: intstr.FromInt(port)}},
		PeriodSeconds:    1,
		SuccessThreshold: 2,
		FailureThreshold: 2,
	}
	pod := podWith("uid-ready", v1.Container{Name: "web", ReadinessProbe: probe})
	if got := m.Result(pod.UID, "web", Readiness); got != Failure {
		t.Errorf("readiness before any probe = %v", got)
	}
	m.Sync(pod, map[string]ContainerInfo{"web": {ID: "c1"}})

	up := nextUpdate(t, m)
	if up.Kind != Readiness || up.Result != Success || up.Container != "web" || up.ContainerID != "c1" || up.PodUID != pod.UID {
		t.Fatalf("update = %+v", up)
	}
	if hits.Load() < 2 {
		t.Errorf("ready after %d probes, successThreshold is 2", hits.Load())
	}
	if got := m.Result(pod.UID, "web", Readiness); got != Success {
		t.Errorf("Result = %v", got)
	}

	// Still healthy: more probes, no more updates.
	h := hits.Load()
	eventually(t, "three more probes", func() bool { return hits.Load() >= h+3 })
	select {
	case u := <-m.Updates():
		t.Fatalf("update without a change: %+v", u)
	default:
	}

	code.Store(500)
	h = hits.Load()
	up = nextUpdate(t, m)
	if up.Result != Failure || up.Message != "HTTP probe failed with statuscode: 500" {
		t.Fatalf("update = %+v", up)
	}
	if n := hits.Load() - h; n < 2 {
		t.Errorf("not ready after %d failed probes, failureThreshold is 2", n)
	}
	// Readiness keeps probing after a failure and recovers.
	code.Store(200)
	if up = nextUpdate(t, m); up.Result != Success {
		t.Fatalf("update = %+v", up)
	}
}

func TestLivenessFailureIsFinalForTheContainer(t *testing.T) {
	rt := newFakeRuntime()
	rt.set("live", 1)
	m := newTestManager(t, rt)
	pod := podWith("uid-live", v1.Container{Name: "app", LivenessProbe: execProbeSpec("live", 1, 3)})
	if got := m.Result(pod.UID, "app", Liveness); got != Success {
		t.Errorf("liveness before start = %v", got)
	}
	m.Sync(pod, map[string]ContainerInfo{"app": {ID: "c1"}})

	up := nextUpdate(t, m)
	if up.Kind != Liveness || up.Result != Failure || up.ContainerID != "c1" {
		t.Fatalf("update = %+v", up)
	}
	if n := len(rt.callsOf("live")); n != 3 {
		t.Errorf("failed after %d probes, want failureThreshold 3", n)
	}
	// The worker holds: no more probes of this container.
	n := len(rt.callsOf("live"))
	if m.Result(pod.UID, "app", Liveness) != Failure {
		t.Error("Result not Failure")
	}

	// The kubelet restarts it: a new ID gets a fresh worker, fresh result.
	rt.set("live", 0)
	m.Sync(pod, map[string]ContainerInfo{"app": {ID: "c2"}})
	if got := m.Result(pod.UID, "app", Liveness); got != Success {
		t.Errorf("liveness of the new container = %v", got)
	}
	eventually(t, "the new container probed", func() bool { return len(rt.callsOf("live")) > n })
	for _, c := range rt.callsOf("live")[n:] {
		if c.containerID != "c2" {
			t.Errorf("probe went to %s after the restart", c.containerID)
		}
	}
}

func TestInitialDelay(t *testing.T) {
	rt := newFakeRuntime()
	m := newTestManager(t, rt)
	probe := execProbeSpec("check", 1, 1)
	probe.InitialDelaySeconds = 20 // 200ms in test units
	pod := podWith("uid-delay", v1.Container{Name: "app", ReadinessProbe: probe})
	started := time.Now()
	m.Sync(pod, map[string]ContainerInfo{"app": {ID: "c1", StartedAt: started}})
	nextUpdate(t, m)
	first := rt.callsOf("check")[0].at
	if d := first.Sub(started); d < 20*unit {
		t.Errorf("first probe %v after start, initialDelaySeconds is %v", d, 20*unit)
	}

	// A container that started long ago is probed at once.
	pod2 := podWith("uid-delay-2", v1.Container{Name: "app", ReadinessProbe: probe})
	m.Sync(pod2, map[string]ContainerInfo{"app": {ID: "c9", StartedAt: time.Now().Add(-time.Hour)}})
	if up := nextUpdate(t, m); up.PodUID != pod2.UID || up.Result != Success {
		t.Errorf("update = %+v", up)
	}
}

func TestStartupGatesLivenessAndReadiness(t *testing.T) {
	rt := newFakeRuntime()
	rt.set("startup", 1)
	m := newTestManager(t, rt)
	pod := podWith("uid-start", v1.Container{
		Name:           "app",
		StartupProbe:   execProbeSpec("startup", 1, 1000),
		LivenessProbe:  execProbeSpec("live", 1, 1),
		ReadinessProbe: execProbeSpec("ready", 1, 1),
	})
	m.Sync(pod, map[string]ContainerInfo{"app": {ID: "c1"}})
	eventually(t, "a few startup probes", func() bool { return len(rt.callsOf("startup")) >= 3 })
	if n := len(rt.callsOf("live")) + len(rt.callsOf("ready")); n != 0 {
		t.Errorf("%d liveness/readiness probes before startup succeeded", n)
	}
	if got := m.Result(pod.UID, "app", Startup); got != Unknown {
		t.Errorf("startup result = %v", got)
	}
	if got := m.Result(pod.UID, "app", Readiness); got != Failure {
		t.Errorf("readiness before startup = %v", got)
	}

	rt.set("startup", 0)
	got := map[Kind]Result{}
	for len(got) < 2 {
		u := nextUpdate(t, m)
		got[u.Kind] = u.Result
	}
	if got[Startup] != Success || got[Readiness] != Success {
		t.Errorf("updates = %v, want startup and readiness Success (liveness stays Success: no update)", got)
	}
	eventually(t, "liveness probing", func() bool { return len(rt.callsOf("live")) > 0 })
	// A succeeded startup probe is not run again.
	n := len(rt.callsOf("startup"))
	eventually(t, "more liveness probes", func() bool { return len(rt.callsOf("live")) >= 3 })
	if len(rt.callsOf("startup")) != n {
		t.Error("startup probe ran after it succeeded")
	}
}

func TestSyncStopsWorkers(t *testing.T) {
	rt := newFakeRuntime()
	m := newTestManager(t, rt)
	pod := podWith("uid-stop", v1.Container{Name: "app", LivenessProbe: execProbeSpec("live", 1, 3)})
	m.Sync(pod, map[string]ContainerInfo{"app": {ID: "c1"}})
	eventually(t, "probing", func() bool { return len(rt.callsOf("live")) > 0 })

	// The container stopped: its worker goes.
	m.Sync(pod, map[string]ContainerInfo{})
	m.mu.Lock()
	workers := len(m.pods[pod.UID].workers)
	m.mu.Unlock()
	if workers != 0 {
		t.Errorf("%d workers after the container stopped", workers)
	}

	// Started again, then the pod removed.
	m.Sync(pod, map[string]ContainerInfo{"app": {ID: "c2"}})
	m.RemovePod(pod.UID)
	m.mu.Lock()
	_, known := m.pods[pod.UID]
	m.mu.Unlock()
	if known {
		t.Error("pod still known after RemovePod")
	}
}

// Re-syncing with a fresh copy of the same pod (as the kubelet does on
// every status change) keeps the workers and their results.
func TestSyncWithNewPodObjectKeepsWorkers(t *testing.T) {
	rt := newFakeRuntime()
	m := newTestManager(t, rt)
	pod := podWith("uid-keep", v1.Container{Name: "app", ReadinessProbe: execProbeSpec("ready", 1, 1)})
	m.Sync(pod, map[string]ContainerInfo{"app": {ID: "c1"}})
	nextUpdate(t, m)
	m.Sync(pod.DeepCopy(), map[string]ContainerInfo{"app": {ID: "c1"}})
	if got := m.Result(pod.UID, "app", Readiness); got != Success {
		t.Errorf("readiness after re-Sync = %v", got)
	}
}

func TestResultDefaults(t *testing.T) {
	m := newTestManager(t, newFakeRuntime())
	probe := execProbeSpec("never", 1, 1)
	probe.InitialDelaySeconds = 100000 // the workers never probe here
	always := v1.ContainerRestartPolicyAlways
	pod := podWithIP("127.0.0.1")
	pod.UID = "uid-defaults"
	pod.Spec.InitContainers = []v1.Container{{Name: "sidecar", RestartPolicy: &always, ReadinessProbe: probe}}
	pod.Spec.Containers = []v1.Container{
		{Name: "plain"},
		{Name: "probed", LivenessProbe: probe, ReadinessProbe: probe, StartupProbe: probe},
		{Name: "startup-only", StartupProbe: probe},
		{Name: "stopped", ReadinessProbe: probe, StartupProbe: probe},
	}
	m.Sync(pod, map[string]ContainerInfo{"plain": {ID: "1"}, "probed": {ID: "2"}, "startup-only": {ID: "3"}, "sidecar": {ID: "4"}})

	tests := []struct {
		uid       types.UID
		container string
		kind      Kind
		want      Result
	}{
		{pod.UID, "plain", Liveness, Success},
		{pod.UID, "plain", Readiness, Success},
		{pod.UID, "plain", Startup, Success},
		{pod.UID, "probed", Liveness, Success},
		{pod.UID, "probed", Readiness, Failure},
		{pod.UID, "probed", Startup, Unknown},
		{pod.UID, "startup-only", Readiness, Failure}, // not started yet
		{pod.UID, "stopped", Readiness, Failure},
		{pod.UID, "stopped", Startup, Unknown},
		{pod.UID, "sidecar", Readiness, Failure},
		{pod.UID, "nope", Readiness, Failure},
		{"unknown-pod", "x", Readiness, Failure},
		{"unknown-pod", "x", Liveness, Success},
		{"unknown-pod", "x", Startup, Success},
	}
	for _, tt := range tests {
		if got := m.Result(tt.uid, tt.container, tt.kind); got != tt.want {
			t.Errorf("%s/%s %v = %v, want %v", tt.uid, tt.container, tt.kind, got, tt.want)
		}
	}
	m.mu.Lock()
	n := len(m.pods[pod.UID].workers)
	m.mu.Unlock()
	if n != 5 { // probed x3, startup-only, sidecar; nothing for stopped or plain
		t.Errorf("%d workers, want 5", n)
	}
}
