package kubelet

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	apitest "k8s.io/cri-api/pkg/apis/testing"

	"github.com/hanok-dev/hanok/internal/kubelet/prober"
	"github.com/hanok-dev/hanok/internal/testserver"
)

// containerIDs lists the fake runtime's containers of a pod by name.
func (h *harness) containerIDs(uid types.UID) map[string][]string {
	h.rt.Lock()
	defer h.rt.Unlock()
	out := map[string][]string{}
	for id, c := range h.rt.Containers {
		if c.Labels[labelPodUID] == string(uid) {
			out[c.Metadata.Name] = append(out[c.Metadata.Name], id)
		}
	}
	return out
}

func (h *harness) callCount(method string) int {
	h.rt.Lock()
	defer h.rt.Unlock()
	n := 0
	for _, c := range h.rt.Called {
		if c == method {
			n++
		}
	}
	return n
}

func (h *harness) waitEvent(reason, contains string) {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		list, err := h.admin.CoreV1().Events(h.ns).List(context.Background(), metav1.ListOptions{})
		if err == nil {
			for _, e := range list.Items {
				if e.Reason == reason && strings.Contains(e.Message, contains) {
					if e.Source.Component != "kubelet" || e.Source.Host != h.node {
						h.t.Errorf("event source %+v", e.Source)
					}
					return
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	h.t.Fatalf("no %s event containing %q", reason, contains)
}

func TestInitContainersRunInOrder(t *testing.T) {
	h := startHarness(t)
	p := h.pod("init", v1.Container{Name: "app", Image: "busybox:1.36"})
	p.Spec.InitContainers = []v1.Container{{Name: "first", Image: "busybox:1.36"}, {Name: "second", Image: "busybox:1.36"}}
	p = h.create(p)

	got := h.waitPod("init", "running its first init container", func(p *v1.Pod) bool {
		return len(p.Status.InitContainerStatuses) == 2 && p.Status.InitContainerStatuses[0].State.Running != nil
	})
	if got.Status.Phase != v1.PodPending || condition(got, v1.PodInitialized) != v1.ConditionFalse {
		t.Errorf("phase %s initialized %s", got.Status.Phase, condition(got, v1.PodInitialized))
	}
	if ids := h.containerIDs(p.UID); len(ids["second"]) != 0 || len(ids["app"]) != 0 {
		t.Fatalf("started ahead of the first init container: %v", ids)
	}
	h.exitContainer(got.Status.InitContainerStatuses[0].ContainerID, 0)
	got = h.waitPod("init", "running its second init container", func(p *v1.Pod) bool {
		return len(p.Status.InitContainerStatuses) == 2 && p.Status.InitContainerStatuses[1].State.Running != nil
	})
	h.exitContainer(got.Status.InitContainerStatuses[1].ContainerID, 0)
	got = h.waitPod("init", "Running", func(p *v1.Pod) bool {
		return p.Status.Phase == v1.PodRunning && condition(p, v1.PodInitialized) == v1.ConditionTrue
	})
	if r := got.Status.InitContainerStatuses[0].State.Terminated; r == nil || r.Reason != "Completed" {
		t.Errorf("first init state %+v", got.Status.InitContainerStatuses[0].State)
	}
}

func TestLivenessFailureRestarts(t *testing.T) {
	h := startHarness(t)
	c := v1.Container{Name: "app", Image: "busybox:1.36", LivenessProbe: &v1.Probe{
		ProbeHandler:        v1.ProbeHandler{Exec: &v1.ExecAction{Command: []string{"true"}}},
		InitialDelaySeconds: 3600, // keep the real prober out: the test plays it
	}}
	p := h.create(h.pod("live", c))
	got := h.waitPod("live", "Running", func(p *v1.Pod) bool {
		return len(p.Status.ContainerStatuses) == 1 && p.Status.ContainerStatuses[0].State.Running != nil
	})
	_, id, _ := strings.Cut(got.Status.ContainerStatuses[0].ContainerID, "://")
	// Play the prober: its change stream reports the failure.
	h.k.probeStates.set(prober.Update{PodUID: p.UID, Container: "app", ContainerID: id, Kind: prober.Liveness, Result: prober.Failure})
	h.k.wake(p.UID, false)

	h.waitPod("live", "restarted", func(p *v1.Pod) bool {
		cs := p.Status.ContainerStatuses
		return len(cs) == 1 && cs[0].RestartCount == 1 && cs[0].State.Running != nil
	})
	h.waitEvent("Killing", "Container app failed liveness probe, will be restarted")
}

func TestReadinessProbeGatesReady(t *testing.T) {
	h := startHarness(t)
	c := v1.Container{Name: "app", Image: "busybox:1.36", ReadinessProbe: &v1.Probe{
		ProbeHandler:        v1.ProbeHandler{Exec: &v1.ExecAction{Command: []string{"true"}}},
		InitialDelaySeconds: 3600, // keep the real prober out: the test plays it
	}}
	p := h.create(h.pod("ready", c))
	got := h.waitPod("ready", "Running", func(p *v1.Pod) bool { return p.Status.Phase == v1.PodRunning })
	if condition(got, v1.PodReady) != v1.ConditionFalse {
		t.Fatalf("Ready before the readiness probe succeeded: %+v", got.Status.Conditions)
	}
	_, id, _ := strings.Cut(got.Status.ContainerStatuses[0].ContainerID, "://")
	h.k.probeStates.set(prober.Update{PodUID: p.UID, Container: "app", ContainerID: id, Kind: prober.Readiness, Result: prober.Success})
	h.k.wake(p.UID, false)
	h.waitPod("ready", "Ready", func(p *v1.Pod) bool { return condition(p, v1.PodReady) == v1.ConditionTrue })
}

func TestEvictionFailsThePod(t *testing.T) {
	h := startHarness(t)
	p := h.create(h.pod("evictme", v1.Container{Name: "app", Image: "busybox:1.36"}))
	h.waitPod("evictme", "Running", func(p *v1.Pod) bool { return p.Status.Phase == v1.PodRunning })
	h.k.evict(p, "The node was low on resource: memory.")
	got := h.waitPod("evictme", "Evicted", func(p *v1.Pod) bool { return p.Status.Phase == v1.PodFailed })
	if got.Status.Reason != "Evicted" || got.Status.Message != "The node was low on resource: memory." {
		t.Errorf("status %s %q", got.Status.Reason, got.Status.Message)
	}
	h.rt.Lock()
	for _, c := range h.rt.Containers {
		if c.Labels[labelPodUID] == string(p.UID) && c.State == runtimeapi.ContainerState_CONTAINER_RUNNING {
			t.Errorf("container %s still running", c.Id)
		}
	}
	for _, s := range h.rt.Sandboxes {
		if s.Labels[labelPodUID] == string(p.UID) && s.State == runtimeapi.PodSandboxState_SANDBOX_READY {
			t.Errorf("sandbox %s still ready", s.Id)
		}
	}
	h.rt.Unlock()
}

func TestActiveDeadline(t *testing.T) {
	h := startHarness(t)
	p := h.pod("deadline", v1.Container{Name: "app", Image: "busybox:1.36"})
	one := int64(1)
	p.Spec.ActiveDeadlineSeconds = &one
	h.create(p)
	got := h.waitPod("deadline", "Failed", func(p *v1.Pod) bool { return p.Status.Phase == v1.PodFailed })
	if got.Status.Reason != "DeadlineExceeded" {
		t.Errorf("reason %q", got.Status.Reason)
	}
}

func TestCompletedPodSucceeds(t *testing.T) {
	h := startHarness(t)
	p := h.pod("job", v1.Container{Name: "app", Image: "busybox:1.36"})
	p.Spec.RestartPolicy = v1.RestartPolicyNever
	p = h.create(p)
	got := h.waitPod("job", "Running", func(p *v1.Pod) bool { return p.Status.Phase == v1.PodRunning })
	h.exitContainer(got.Status.ContainerStatuses[0].ContainerID, 0)
	got = h.waitPod("job", "Succeeded", func(p *v1.Pod) bool { return p.Status.Phase == v1.PodSucceeded })
	if c := got.Status.ContainerStatuses[0]; c.State.Terminated == nil || c.State.Terminated.Reason != "Completed" || c.Ready {
		t.Errorf("status %+v", c)
	}
	// The sandbox is stopped (its IP freed), the container kept for logs.
	deadline := time.Now().Add(10 * time.Second)
	for {
		h.rt.Lock()
		ready := 0
		for _, s := range h.rt.Sandboxes {
			if s.Labels[labelPodUID] == string(p.UID) && s.State == runtimeapi.PodSandboxState_SANDBOX_READY {
				ready++
			}
		}
		h.rt.Unlock()
		if ready == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("sandbox of a finished pod still ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if ids := h.containerIDs(p.UID); len(ids["app"]) != 1 {
		t.Errorf("containers %v", ids)
	}
}

func TestImagePullSecretsAndFailures(t *testing.T) {
	h := startHarness(t)
	ctx := testserver.Context(t)
	sec := &v1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "regcred", Namespace: h.ns}, Type: v1.SecretTypeDockerConfigJson,
		Data: map[string][]byte{v1.DockerConfigJsonKey: []byte(`{"auths":{"registry.example:5000":{"username":"u","password":"p"}}}`)}}
	if _, err := h.admin.CoreV1().Secrets(h.ns).Create(ctx, sec, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	p := h.pod("private", v1.Container{Name: "app", Image: "registry.example:5000/team/app:1"})
	p.Spec.ImagePullSecrets = []v1.LocalObjectReference{{Name: "regcred"}}
	h.create(p)
	h.waitPod("private", "Running", func(p *v1.Pod) bool { return p.Status.Phase == v1.PodRunning })
	h.img.AssertImagePulledWithAuth(t, &runtimeapi.ImageSpec{Image: "registry.example:5000/team/app:1", UserSpecifiedImage: "registry.example:5000/team/app:1"},
		&runtimeapi.AuthConfig{Username: "u", Password: "p", ServerAddress: "registry.example:5000"}, "pull secret not used")
	h.waitEvent("Pulled", `Successfully pulled image "registry.example:5000/team/app:1"`)

	// A failing pull shows ErrImagePull, then ImagePullBackOff.
	h.img.InjectError("PullImage", errors.New("manifest unknown"))
	h.create(h.pod("missing", v1.Container{Name: "app", Image: "nowhere.example/none:1"}))
	h.waitPod("missing", "ErrImagePull or ImagePullBackOff", func(p *v1.Pod) bool {
		cs := p.Status.ContainerStatuses
		return len(cs) == 1 && cs[0].State.Waiting != nil &&
			(cs[0].State.Waiting.Reason == "ErrImagePull" || cs[0].State.Waiting.Reason == "ImagePullBackOff")
	})
	h.waitPod("missing", "ImagePullBackOff", func(p *v1.Pod) bool {
		cs := p.Status.ContainerStatuses
		return len(cs) == 1 && cs[0].State.Waiting != nil && cs[0].State.Waiting.Reason == "ImagePullBackOff"
	})
	h.waitEvent("Failed", "manifest unknown")
}

func TestRestartedKubeletAdoptsContainers(t *testing.T) {
	h := startHarness(t)
	p := h.create(h.pod("adopt", v1.Container{Name: "app", Image: "busybox:1.36"}))
	h.waitPod("adopt", "Running", func(p *v1.Pod) bool { return p.Status.Phase == v1.PodRunning })
	before := h.containerIDs(p.UID)

	// A second kubelet on the same runtime (the first one's restart).
	k2, err := New(h.k.cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = k2.Run(ctx) }()
	defer func() { cancel(); <-done }()
	// Wait until the new kubelet owns the pod and has synced it a few times
	// (each sync lists the pod's sandboxes).
	deadline := time.Now().Add(10 * time.Second)
	for {
		k2.mu.Lock()
		owned := k2.workers[p.UID] != nil
		k2.mu.Unlock()
		if owned {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the new kubelet never took the pod")
		}
		time.Sleep(20 * time.Millisecond)
	}
	start := h.callCount("ListPodSandbox")
	for h.callCount("ListPodSandbox") < start+5 {
		if time.Now().After(deadline) {
			t.Fatal("the new kubelet stopped syncing")
		}
		time.Sleep(20 * time.Millisecond)
	}
	k2.wake(p.UID, false)
	for h.callCount("ListPodSandbox") < start+10 {
		time.Sleep(20 * time.Millisecond)
	}
	after := h.containerIDs(p.UID)
	if len(after["app"]) != 1 || after["app"][0] != before["app"][0] {
		t.Errorf("containers before %v after %v", before, after)
	}
	h.rt.Lock()
	calls := strings.Join(h.rt.Called, ",")
	h.rt.Unlock()
	if strings.Count(calls, "RunPodSandbox") != 1 {
		t.Errorf("sandbox created more than once: %s", calls)
	}
}

func TestOrphanedSandboxIsRemoved(t *testing.T) {
	h := startHarness(t)
	h.rt.SetFakeSandboxes([]*apitest.FakePodSandbox{{PodSandboxStatus: runtimeapi.PodSandboxStatus{
		Id: "orphan", State: runtimeapi.PodSandboxState_SANDBOX_READY,
		Metadata: &runtimeapi.PodSandboxMetadata{Name: "gone", Namespace: h.ns, Uid: "gone-uid"},
		Labels:   map[string]string{labelPodUID: "gone-uid"},
	}}})
	deadline := time.Now().Add(10 * time.Second)
	for {
		h.rt.Lock()
		n := len(h.rt.Sandboxes)
		h.rt.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("orphaned sandbox was not removed")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestHostNetworkPodUsesNodeIP(t *testing.T) {
	h := startHarness(t)
	p := h.pod("hostnet", v1.Container{Name: "app", Image: "busybox:1.36", Ports: []v1.ContainerPort{{ContainerPort: 8080, HostPort: 8080}}})
	p.Spec.HostNetwork = true
	h.create(p)
	got := h.waitPod("hostnet", "Running", func(p *v1.Pod) bool { return p.Status.Phase == v1.PodRunning })
	if got.Status.PodIP != "127.0.0.1" {
		t.Errorf("podIP %q, want the node's", got.Status.PodIP)
	}
}

func TestMissingConfigMapVolumeIsFailedMount(t *testing.T) {
	h := startHarness(t)
	p := h.pod("nomount", v1.Container{Name: "app", Image: "busybox:1.36",
		VolumeMounts: []v1.VolumeMount{{Name: "cfg", MountPath: "/cfg"}}})
	p.Spec.Volumes = []v1.Volume{{Name: "cfg", VolumeSource: v1.VolumeSource{ConfigMap: &v1.ConfigMapVolumeSource{
		LocalObjectReference: v1.LocalObjectReference{Name: "absent"}}}}}
	p = h.create(p)
	h.waitEvent("FailedMount", "absent")
	got, err := h.admin.CoreV1().Pods(h.ns).Get(testserver.Context(t), "nomount", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status.Phase == v1.PodRunning || len(h.containerIDs(p.UID)) != 0 {
		t.Errorf("pod started without its volume: %s %v", got.Status.Phase, h.containerIDs(p.UID))
	}
}

// stuckPulls is an image service whose pulls never finish on their own.
type stuckPulls struct{ *apitest.FakeImageService }

func (s stuckPulls) PullImage(ctx context.Context, _ *runtimeapi.ImageSpec, _ *runtimeapi.AuthConfig, _ *runtimeapi.PodSandboxConfig) (string, error) {
	<-ctx.Done()
	return "", ctx.Err()
}

func TestDeletionInterruptsAStuckPull(t *testing.T) {
	h := startHarness(t, func(c *Config) { c.Images = stuckPulls{apitest.NewFakeImageService()} })
	h.create(h.pod("stuck", v1.Container{Name: "app", Image: "slow.example/big:1"}))
	h.waitEvent("Pulling", "slow.example/big:1")
	if err := h.admin.CoreV1().Pods(h.ns).Delete(testserver.Context(t), "stuck", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := h.admin.CoreV1().Pods(h.ns).Get(context.Background(), "stuck", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("deleted pod stayed behind its stuck image pull")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
