package kubelet

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/kubernetes"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	apitest "k8s.io/cri-api/pkg/apis/testing"

	"github.com/hanok-dev/hanok/internal/testserver"
)

// harness is one kubelet on a fake CRI runtime against the shared API
// server, with the node's own identity.
type harness struct {
	t     *testing.T
	admin kubernetes.Interface
	ns    string
	node  string
	rt    *apitest.FakeRuntimeService
	img   *apitest.FakeImageService
	k     *Kubelet
}

func startHarness(t *testing.T, adjust ...func(*Config)) *harness {
	t.Helper()
	s := shared.Get(t)
	node := "kt-" + rand.String(6)
	h := &harness{t: t, admin: s.Client(), ns: s.CreateNamespace(t), node: node,
		rt: apitest.NewFakeRuntimeService(), img: apitest.NewFakeImageService()}
	h.rt.FakeStatus = &runtimeapi.RuntimeStatus{Conditions: []*runtimeapi.RuntimeCondition{
		{Type: runtimeapi.RuntimeReady, Status: true}, {Type: runtimeapi.NetworkReady, Status: true}}}
	cfg := Config{
		NodeName: node, NodeIPs: []net.IP{net.ParseIP("127.0.0.1")},
		Client:  s.ClientFor(t, "system:node:"+node, "system:nodes"),
		Runtime: h.rt, Images: h.img,
		RootDir: t.TempDir(), PodLogsDir: t.TempDir(), CgroupRoot: "/hanok/" + node,
		ClusterDNS: []net.IP{net.ParseIP("10.43.0.10")}, ResolvConf: "/nonexistent",
		DisableNodeStatus: true, DisableEviction: true,
		SyncInterval: time.Second, RelistInterval: 100 * time.Millisecond,
	}
	for _, a := range adjust {
		a(&cfg)
	}
	k, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.k = k
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = k.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return h
}

// pod returns a minimal pod bound to the harness's node.
func (h *harness) pod(name string, containers ...v1.Container) *v1.Pod {
	no := false
	return &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: h.ns},
		Spec: v1.PodSpec{
			NodeName: h.node, Containers: containers, AutomountServiceAccountToken: &no,
		},
	}
}

func (h *harness) create(p *v1.Pod) *v1.Pod {
	h.t.Helper()
	created, err := h.admin.CoreV1().Pods(h.ns).Create(testserver.Context(h.t), p, metav1.CreateOptions{})
	if err != nil {
		h.t.Fatal(err)
	}
	return created
}

// waitPod polls the pod until cond holds.
func (h *harness) waitPod(name, what string, cond func(*v1.Pod) bool) *v1.Pod {
	h.t.Helper()
	var last *v1.Pod
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		p, err := h.admin.CoreV1().Pods(h.ns).Get(context.Background(), name, metav1.GetOptions{})
		if err == nil {
			last = p
			if cond(p) {
				return p
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	h.t.Fatalf("pod %s never became %s; last status: %+v", name, what, last.Status)
	return nil
}

// exitContainer makes the fake runtime report a container as exited.
func (h *harness) exitContainer(id string, code int32) {
	h.rt.Lock()
	defer h.rt.Unlock()
	_, raw, _ := strings.Cut(id, "://")
	c := h.rt.Containers[raw]
	if c == nil {
		h.t.Fatalf("no container %s", id)
	}
	c.State = runtimeapi.ContainerState_CONTAINER_EXITED
	c.ExitCode = code
	c.FinishedAt = time.Now().UnixNano()
}

func condition(p *v1.Pod, t v1.PodConditionType) v1.ConditionStatus {
	for _, c := range p.Status.Conditions {
		if c.Type == t {
			return c.Status
		}
	}
	return ""
}

func TestPodRunsAndIsDeleted(t *testing.T) {
	h := startHarness(t)
	h.create(h.pod("web", v1.Container{Name: "app", Image: "busybox:1.36", Command: []string{"sleep", "3600"}}))

	p := h.waitPod("web", "Ready", func(p *v1.Pod) bool {
		return p.Status.Phase == v1.PodRunning && condition(p, v1.PodReady) == v1.ConditionTrue
	})
	if p.Status.PodIP != apitest.FakePodSandboxIPs[0] {
		t.Errorf("podIP = %q, want %q", p.Status.PodIP, apitest.FakePodSandboxIPs[0])
	}
	if p.Status.HostIP != "127.0.0.1" || p.Status.QOSClass != v1.PodQOSBestEffort || p.Status.StartTime == nil {
		t.Errorf("hostIP %q qos %q startTime %v", p.Status.HostIP, p.Status.QOSClass, p.Status.StartTime)
	}
	cs := p.Status.ContainerStatuses
	if len(cs) != 1 || !cs[0].Ready || cs[0].State.Running == nil || !strings.HasPrefix(cs[0].ContainerID, "fakeRuntime://") {
		t.Fatalf("container statuses: %+v", cs)
	}
	if got := h.img.Images; len(got) == 0 {
		t.Errorf("image was not pulled")
	}

	// The sandbox got the pod's DNS and cgroup parent.
	h.rt.Lock()
	var sb *apitest.FakePodSandbox
	for _, s := range h.rt.Sandboxes {
		sb = s
	}
	h.rt.Unlock()
	if sb == nil || sb.Labels[labelPodUID] != string(p.UID) {
		t.Fatalf("sandbox: %+v", sb)
	}

	// Deleting the pod stops and removes the sandbox, then the API object.
	if err := h.admin.CoreV1().Pods(h.ns).Delete(testserver.Context(t), "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := h.admin.CoreV1().Pods(h.ns).Get(context.Background(), "web", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pod was never removed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	h.rt.Lock()
	left := len(h.rt.Sandboxes) + len(h.rt.Containers)
	h.rt.Unlock()
	if left != 0 {
		t.Errorf("%d sandboxes/containers left after delete", left)
	}
}

func TestCrashingContainerBacksOff(t *testing.T) {
	h := startHarness(t)
	h.create(h.pod("crash", v1.Container{Name: "app", Image: "busybox:1.36"}))
	p := h.waitPod("crash", "Running", func(p *v1.Pod) bool {
		return len(p.Status.ContainerStatuses) == 1 && p.Status.ContainerStatuses[0].State.Running != nil
	})
	h.exitContainer(p.Status.ContainerStatuses[0].ContainerID, 1)

	// The first crash restarts at once.
	p = h.waitPod("crash", "restarted", func(p *v1.Pod) bool {
		cs := p.Status.ContainerStatuses
		return len(cs) == 1 && cs[0].RestartCount == 1 && cs[0].State.Running != nil
	})
	last := p.Status.ContainerStatuses[0].LastTerminationState.Terminated
	if last == nil || last.ExitCode != 1 || last.Reason != "Error" {
		t.Errorf("lastState = %+v, want exit 1 reason Error", last)
	}
	// The kubelet server finds both logs (kubectl logs, --previous).
	cur, err := h.k.ContainerLogPath(h.ns, "crash", "app", false)
	if err != nil || !strings.HasSuffix(cur, "/"+h.ns+"_crash_"+string(p.UID)+"/app/1.log") {
		t.Errorf("log path %q, %v", cur, err)
	}
	if prev, err := h.k.ContainerLogPath(h.ns, "crash", "app", true); err != nil || !strings.HasSuffix(prev, "/app/0.log") {
		t.Errorf("previous log path %q, %v", prev, err)
	}
	if id, err := h.k.ContainerID(h.ns, "crash", "app"); err != nil || !strings.HasSuffix(p.Status.ContainerStatuses[0].ContainerID, id) {
		t.Errorf("container id %q, %v", id, err)
	}
	if sb, err := h.k.PodSandboxID(h.ns, "crash"); err != nil || sb == "" {
		t.Errorf("sandbox id %q, %v", sb, err)
	}
	h.exitContainer(p.Status.ContainerStatuses[0].ContainerID, 2)

	// The second waits: CrashLoopBackOff.
	p = h.waitPod("crash", "in CrashLoopBackOff", func(p *v1.Pod) bool {
		cs := p.Status.ContainerStatuses
		return len(cs) == 1 && cs[0].State.Waiting != nil && cs[0].State.Waiting.Reason == "CrashLoopBackOff"
	})
	cs := p.Status.ContainerStatuses[0]
	want := fmt.Sprintf("back-off 10s restarting failed container=app pod=crash_%s(%s)", h.ns, p.UID)
	if cs.State.Waiting.Message != want {
		t.Errorf("message = %q, want %q", cs.State.Waiting.Message, want)
	}
	if cs.LastTerminationState.Terminated == nil || cs.LastTerminationState.Terminated.ExitCode != 2 || cs.RestartCount != 1 {
		t.Errorf("status = %+v", cs)
	}
	if condition(p, v1.PodReady) != v1.ConditionFalse {
		t.Errorf("pod is Ready while its container crashes")
	}
}
