package kubelet

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	apitest "k8s.io/cri-api/pkg/apis/testing"
)

func TestTailCRILog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "0.log")
	content := "2026-01-01T00:00:00.000000001Z stdout F one\n" +
		"2026-01-01T00:00:00.000000002Z stderr P par\n" +
		"2026-01-01T00:00:00.000000003Z stderr F tial\n" +
		"2026-01-01T00:00:00.000000004Z stdout F three\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := tailCRILog(path, 80, 2048); got != "one\npartial\nthree\n" {
		t.Errorf("tail = %q", got)
	}
	if got := tailCRILog(path, 2, 2048); got != "partial\nthree\n" {
		t.Errorf("tail 2 lines = %q", got)
	}
	if got := tailCRILog(path, 80, 6); got != "three\n" {
		t.Errorf("tail 6 bytes = %q", got)
	}
}

// fakeContainer is an exited container of pod uid1 in the fake runtime.
func fakeContainer(id, name string, restarts int, state runtimeapi.ContainerState, annotations map[string]string) *apitest.FakeContainer {
	a := map[string]string{annotationRestartCount: string(rune('0' + restarts))}
	for k, v := range annotations {
		a[k] = v
	}
	return &apitest.FakeContainer{SandboxID: "s1", ContainerStatus: runtimeapi.ContainerStatus{
		Id: id, Metadata: &runtimeapi.ContainerMetadata{Name: name, Attempt: uint32(restarts)}, State: state,
		CreatedAt: time.Now().UnixNano(), ExitCode: 1,
		Labels:      map[string]string{labelPodUID: "uid1", labelContainerName: name, labelPodName: "p", labelPodNamespace: "ns"},
		Annotations: a,
	}}
}

func TestGCKeepsTwoInstances(t *testing.T) {
	rt := apitest.NewFakeRuntimeService()
	exitedState := runtimeapi.ContainerState_CONTAINER_EXITED
	rt.SetFakeContainers([]*apitest.FakeContainer{
		fakeContainer("a0", "a", 0, exitedState, nil), fakeContainer("a1", "a", 1, exitedState, nil),
		fakeContainer("a2", "a", 2, exitedState, nil), fakeContainer("a3", "a", 3, runtimeapi.ContainerState_CONTAINER_RUNNING, nil),
		fakeContainer("b0", "b", 0, exitedState, nil),
	})
	rt.SetFakeSandboxes([]*apitest.FakePodSandbox{
		{PodSandboxStatus: runtimeapi.PodSandboxStatus{Id: "s1", State: runtimeapi.PodSandboxState_SANDBOX_READY, CreatedAt: 2,
			Metadata: &runtimeapi.PodSandboxMetadata{Name: "p", Namespace: "ns", Uid: "uid1", Attempt: 1}, Labels: map[string]string{labelPodUID: "uid1"}}},
		{PodSandboxStatus: runtimeapi.PodSandboxStatus{Id: "s0", State: runtimeapi.PodSandboxState_SANDBOX_NOTREADY, CreatedAt: 1,
			Metadata: &runtimeapi.PodSandboxMetadata{Name: "p", Namespace: "ns", Uid: "uid1"}, Labels: map[string]string{labelPodUID: "uid1"}}},
	})
	k := &Kubelet{rt: rt, cfg: Config{PodLogsDir: t.TempDir(), RootDir: t.TempDir()}}
	k.cri = newCRIState(rt, k.cfg.PodLogsDir, k.cfg.RootDir)
	st, err := k.cri.podState(context.Background(), "uid1")
	if err != nil {
		t.Fatal(err)
	}
	if st.latest("a").ID != "a3" || st.previous("a").ID != "a2" {
		t.Fatalf("ordering: latest %s previous %s", st.latest("a").ID, st.previous("a").ID)
	}
	k.gcContainers(context.Background(), st)
	var left []string
	for id := range rt.Containers {
		left = append(left, id)
	}
	sort.Strings(left)
	if want := []string{"a2", "a3", "b0"}; len(left) != 3 || left[0] != want[0] || left[1] != want[1] || left[2] != want[2] {
		t.Errorf("containers left %v, want %v", left, want)
	}
	if _, ok := rt.Sandboxes["s0"]; ok {
		t.Error("empty dead sandbox kept")
	}
	if _, ok := rt.Sandboxes["s1"]; !ok {
		t.Error("current sandbox removed")
	}
}

func TestTerminationMessage(t *testing.T) {
	root, logs := t.TempDir(), t.TempDir()
	rt := apitest.NewFakeRuntimeService()
	withFile := fakeContainer("c1", "app", 0, runtimeapi.ContainerState_CONTAINER_EXITED, nil)
	fallback := fakeContainer("c2", "side", 0, runtimeapi.ContainerState_CONTAINER_EXITED,
		map[string]string{annotationTerminationPolicy: "FallbackToLogsOnError"})
	rt.SetFakeContainers([]*apitest.FakeContainer{withFile, fallback})

	msgPath := terminationLogHostPath(root, "uid1", "app", 0)
	os.MkdirAll(filepath.Dir(msgPath), 0o755)
	os.WriteFile(msgPath, []byte("disk full"), 0o644)
	logPath := filepath.Join(podLogDir(logs, "ns", "p", "uid1"), containerLogPath("side", 0))
	os.MkdirAll(filepath.Dir(logPath), 0o755)
	os.WriteFile(logPath, []byte("2026-01-01T00:00:00Z stderr F panic: boom\n"), 0o644)

	st, err := newCRIState(rt, logs, root).podState(context.Background(), "uid1")
	if err != nil {
		t.Fatal(err)
	}
	if got := st.latest("app").Message; got != "disk full" {
		t.Errorf("message from file = %q", got)
	}
	if got := st.latest("side").Message; got != "panic: boom\n" {
		t.Errorf("message from logs = %q", got)
	}
}

func TestRotatedToRemove(t *testing.T) {
	files := []string{"0.log.20260101-000003", "0.log.20260101-000001", "0.log.20260101-000002", "0.log.20260101-000004", "0.log.20260101-000005"}
	got := rotatedToRemove(files, 4)
	if len(got) != 1 || got[0] != "0.log.20260101-000001" {
		t.Errorf("remove %v", got)
	}
	if got := rotatedToRemove(files[:3], 4); got != nil {
		t.Errorf("nothing to remove, got %v", got)
	}
}

func TestRotateLog(t *testing.T) {
	rt := apitest.NewFakeRuntimeService()
	rt.SetFakeContainers([]*apitest.FakeContainer{fakeContainer("c1", "app", 0, runtimeapi.ContainerState_CONTAINER_RUNNING, nil)})
	k := &Kubelet{rt: rt}
	path := filepath.Join(t.TempDir(), "0.log")
	if err := os.WriteFile(path, make([]byte, logMaxSize), 0o644); err != nil {
		t.Fatal(err)
	}
	k.rotateLog(context.Background(), "c1", path, t0)
	if _, err := os.Stat(path + ".20260101-120000"); err != nil {
		t.Errorf("rotated file missing: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("log not moved away: %v", err)
	}
	rt.Lock()
	reopened := false
	for _, c := range rt.Called {
		reopened = reopened || c == "ReopenContainerLog"
	}
	rt.Unlock()
	if !reopened {
		t.Error("runtime was not asked to reopen the log")
	}
}
