package stats

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	critest "k8s.io/cri-api/pkg/apis/testing"
)

func u64(v uint64) *runtimeapi.UInt64Value { return &runtimeapi.UInt64Value{Value: v} }

// fakeNode is a runtime with one ready pod (two running containers, one
// exited) and one not-ready pod.
func fakeNode(t *testing.T) *critest.FakeRuntimeService {
	rt := critest.NewFakeRuntimeService()
	rt.SetFakeSandboxes([]*critest.FakePodSandbox{
		{PodSandboxStatus: runtimeapi.PodSandboxStatus{Id: "sb1", CreatedAt: 1000,
			State:    runtimeapi.PodSandboxState_SANDBOX_READY,
			Metadata: &runtimeapi.PodSandboxMetadata{Name: "web", Namespace: "default", Uid: "uid-1"}}},
		{PodSandboxStatus: runtimeapi.PodSandboxStatus{Id: "sb2", CreatedAt: 1000,
			State:    runtimeapi.PodSandboxState_SANDBOX_NOTREADY,
			Metadata: &runtimeapi.PodSandboxMetadata{Name: "gone", Namespace: "default", Uid: "uid-2"}}},
	})
	rt.SetFakeContainers([]*critest.FakeContainer{
		{SandboxID: "sb1", ContainerStatus: runtimeapi.ContainerStatus{Id: "c1", CreatedAt: 2000,
			State: runtimeapi.ContainerState_CONTAINER_RUNNING, Metadata: &runtimeapi.ContainerMetadata{Name: "app"}}},
		{SandboxID: "sb1", ContainerStatus: runtimeapi.ContainerStatus{Id: "c2", CreatedAt: 3000,
			State: runtimeapi.ContainerState_CONTAINER_RUNNING, Metadata: &runtimeapi.ContainerMetadata{Name: "sidecar"}}},
		{SandboxID: "sb1", ContainerStatus: runtimeapi.ContainerStatus{Id: "c0", CreatedAt: 500,
			State: runtimeapi.ContainerState_CONTAINER_EXITED, Metadata: &runtimeapi.ContainerMetadata{Name: "app"}}},
	})
	return rt
}

// setCPU sets the containers' cumulative CPU at a CRI timestamp.
func setCPU(rt *critest.FakeRuntimeService, at int64, c1, c2 uint64) {
	stat := func(id string, cpu uint64, mem uint64) *runtimeapi.ContainerStats {
		return &runtimeapi.ContainerStats{
			Attributes:    &runtimeapi.ContainerAttributes{Id: id, Metadata: &runtimeapi.ContainerMetadata{Name: id}},
			Cpu:           &runtimeapi.CpuUsage{Timestamp: at, UsageCoreNanoSeconds: u64(cpu)},
			Memory:        &runtimeapi.MemoryUsage{Timestamp: at, WorkingSetBytes: u64(mem), UsageBytes: u64(mem + 10)},
			WritableLayer: &runtimeapi.FilesystemUsage{Timestamp: at, UsedBytes: u64(4096), InodesUsed: u64(3)},
		}
	}
	rt.SetFakeContainerStats([]*runtimeapi.ContainerStats{stat("c1", c1, 1000), stat("c2", c2, 500)})
}

func TestSummaryFromCRI(t *testing.T) {
	rt := fakeNode(t)
	logs := t.TempDir()
	logDir := filepath.Join(logs, "default_web_uid-1", "app")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(logDir, "0.log"), make([]byte, 123), 0o644); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	p := New(Config{NodeName: "n1", Runtime: rt, RootDir: root, ImageFsDir: root, PodLogsDir: logs})
	ctx := context.Background()

	t0 := time.Unix(100, 0).UnixNano()
	setCPU(rt, t0, 1e9, 2e9)
	s, err := p.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Pods) != 1 {
		t.Fatalf("pods = %d, want only the ready one", len(s.Pods))
	}
	pod := s.Pods[0]
	if pod.PodRef.Name != "web" || pod.PodRef.Namespace != "default" || pod.PodRef.UID != "uid-1" {
		t.Errorf("podRef = %+v", pod.PodRef)
	}
	if len(pod.Containers) != 2 || pod.Containers[0].Name != "app" || pod.Containers[1].Name != "sidecar" {
		t.Fatalf("containers = %+v", pod.Containers)
	}
	if pod.Containers[0].CPU.UsageNanoCores != nil {
		t.Error("first sample: no rate expected yet")
	}
	if got := *pod.Memory.WorkingSetBytes; got != 1500 {
		t.Errorf("pod working set (sum of containers) = %d, want 1500", got)
	}
	if l := pod.Containers[0].Logs; l == nil || *l.UsedBytes != 123 {
		t.Errorf("app logs usage = %+v, want 123 bytes", l)
	}
	if r := pod.Containers[0].Rootfs; r == nil || *r.UsedBytes != 4096 || r.CapacityBytes == nil {
		t.Errorf("app rootfs = %+v", r)
	}
	if e := pod.EphemeralStorage; e == nil || *e.UsedBytes != 4096*2+123 {
		t.Errorf("ephemeral storage = %+v", e)
	}
	if s.Node.NodeName != "n1" || s.Node.CPU == nil || s.Node.Memory == nil || s.Node.Fs == nil || s.Node.Runtime == nil || s.Node.Rlimit == nil {
		t.Errorf("node stats incomplete: %+v", s.Node)
	}

	// Ten seconds later app used 5 more CPU-seconds: half a core.
	setCPU(rt, t0+10e9, 6e9, 2e9+1e8)
	s, err = p.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	app, side := s.Pods[0].Containers[0], s.Pods[0].Containers[1]
	if app.CPU.UsageNanoCores == nil || *app.CPU.UsageNanoCores != 5e8 {
		t.Errorf("app usageNanoCores = %v, want 5e8", app.CPU.UsageNanoCores)
	}
	if side.CPU.UsageNanoCores == nil || *side.CPU.UsageNanoCores != 1e7 {
		t.Errorf("sidecar usageNanoCores = %v, want 1e7", side.CPU.UsageNanoCores)
	}
	if pc := s.Pods[0].CPU; pc == nil || *pc.UsageNanoCores != 5e8+1e7 || *pc.UsageCoreNanoSeconds != 6e9+2e9+1e8 {
		t.Errorf("pod cpu (sum) = %+v", pc)
	}
}

func TestSummaryUsesSandboxStats(t *testing.T) {
	rt := fakeNode(t)
	p := New(Config{NodeName: "n1", Runtime: rt})
	t0 := time.Unix(100, 0).UnixNano()
	sandbox := func(at int64, cpu uint64) {
		rt.SetFakePodSandboxStats([]*runtimeapi.PodSandboxStats{{
			Attributes: &runtimeapi.PodSandboxAttributes{Id: "sb1"},
			Linux: &runtimeapi.LinuxPodSandboxStats{
				Cpu:    &runtimeapi.CpuUsage{Timestamp: at, UsageCoreNanoSeconds: u64(cpu)},
				Memory: &runtimeapi.MemoryUsage{Timestamp: at, WorkingSetBytes: u64(9999)},
				Network: &runtimeapi.NetworkUsage{Timestamp: at,
					DefaultInterface: &runtimeapi.NetworkInterfaceUsage{Name: "eth0", RxBytes: u64(11), TxBytes: u64(22)}},
				Process: &runtimeapi.ProcessUsage{Timestamp: at, ProcessCount: u64(4)},
			},
		}})
	}
	setCPU(rt, t0, 1e9, 1e9)
	sandbox(t0, 10e9)
	if _, err := p.Summary(context.Background()); err != nil {
		t.Fatal(err)
	}
	setCPU(rt, t0+4e9, 1e9, 1e9)
	sandbox(t0+4e9, 14e9) // one core over 4s
	s, err := p.Summary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pod := s.Pods[0]
	if *pod.CPU.UsageNanoCores != 1e9 || *pod.Memory.WorkingSetBytes != 9999 {
		t.Errorf("pod cpu/memory not from the sandbox: %+v %+v", pod.CPU, pod.Memory)
	}
	if pod.Network == nil || pod.Network.Name != "eth0" || *pod.Network.RxBytes != 11 || *pod.Network.TxBytes != 22 {
		t.Errorf("pod network = %+v", pod.Network)
	}
	if pod.ProcessStats == nil || *pod.ProcessStats.ProcessCount != 4 {
		t.Errorf("process stats = %+v", pod.ProcessStats)
	}
}

func TestSummaryRuntimeError(t *testing.T) {
	rt := fakeNode(t)
	rt.InjectError("ListPodSandbox", os.ErrDeadlineExceeded)
	p := New(Config{NodeName: "n1", Runtime: rt})
	s, err := p.Summary(context.Background())
	if err == nil {
		t.Fatal("want the runtime's error")
	}
	if s == nil || s.Node.NodeName != "n1" {
		t.Error("node stats should still come back with the error")
	}
}
