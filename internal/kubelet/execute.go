package kubelet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/hanok-dev/hanok/internal/kubelet/prober"
	"github.com/hanok-dev/hanok/internal/kubelet/volume"
)

const (
	// minGracePeriod is what a container gets at least after its preStop
	// hook, as upstream.
	minGracePeriod = 2
	// postStartTimeout bounds a postStart hook (upstream has none; a hook
	// that never returns would block the pod worker forever).
	postStartTimeout = 2 * time.Minute
)

// execute carries out a pod's actions. changed reports whether the runtime
// state was touched (so it must be read again).
func (k *Kubelet) execute(ctx context.Context, w *podWorker, pod *v1.Pod, state *podState, acts podActions) (changed bool, err error) {
	waiting := map[string]waitingReason{}
	for n, r := range acts.Waiting {
		waiting[n] = r
		k.recorder.Event(containerRef(pod, n), v1.EventTypeWarning, "BackOff", "Back-off restarting failed container "+n+" in pod "+pod.Name+"_"+pod.Namespace+"("+string(pod.UID)+")")
	}
	defer func() {
		w.mu.Lock()
		w.waiting = waiting
		w.mu.Unlock()
	}()
	grace := gracePeriod(pod)

	if acts.KillPod {
		changed = true
		if err := k.stopPod(ctx, pod, state, grace, false); err != nil {
			return changed, err
		}
	}
	var sandboxID string
	var ips []string
	var attempt uint32
	if acts.CreateSandbox {
		changed = true
		attempt = acts.SandboxAttempt
		cfg := k.sandboxConfig(pod, attempt)
		if err := os.MkdirAll(cfg.LogDirectory, 0o755); err != nil {
			return changed, err
		}
		handler, err := k.runtimeHandler(ctx, pod)
		if err != nil {
			k.recorder.Event(pod, v1.EventTypeWarning, "FailedCreatePodSandBox", fmt.Sprintf("Failed to create pod sandbox: %v", err))
			return changed, err
		}
		id, err := k.rt.RunPodSandbox(ctx, cfg, handler)
		if err != nil {
			k.recorder.Event(pod, v1.EventTypeWarning, "FailedCreatePodSandBox", fmt.Sprintf("Failed to create pod sandbox: %v", err))
			return changed, err
		}
		sandboxID = id
		ips = k.cri.sandboxIPs(ctx, pod.UID, id)
	} else if sb := state.sandbox(); sb != nil {
		sandboxID, ips, attempt = sb.ID, sb.IPs, sb.Attempt
	}

	for _, kill := range acts.Kill {
		changed = true
		cs := findInstance(state, kill.ID)
		if cs == nil {
			continue
		}
		g := grace
		if kill.Grace != nil {
			g = *kill.Grace
		}
		if err := k.killContainer(ctx, pod, cs, g, kill.Message); err != nil {
			return changed, err
		}
	}
	if len(acts.Start) == 0 {
		return changed, nil
	}
	sbCfg := k.sandboxConfig(pod, attempt)
	hostsPath, err := k.writeHostsFile(pod, ips)
	if err != nil {
		return changed, err
	}
	w.mu.Lock()
	mounted := w.mounted
	w.mu.Unlock()
	for _, s := range acts.Start {
		changed = true
		if r, err := k.startContainer(ctx, pod, sandboxID, sbCfg, ips, hostsPath, mounted, s); err != nil {
			waiting[s.Container.Name] = r
			if s.Init && !isSidecar(s.Container) {
				return changed, err
			}
		}
	}
	return changed, nil
}

// runtimeHandler resolves the pod's RuntimeClass to the CRI handler that
// runs it ("" is the runtime's default, runc).
func (k *Kubelet) runtimeHandler(ctx context.Context, pod *v1.Pod) (string, error) {
	if pod.Spec.RuntimeClassName == nil || *pod.Spec.RuntimeClassName == "" {
		return "", nil
	}
	rc, err := k.cfg.Client.NodeV1().RuntimeClasses().Get(ctx, *pod.Spec.RuntimeClassName, metav1.GetOptions{})
	if err != nil {
		return "", fmt.Errorf("RuntimeClass %q: %w", *pod.Spec.RuntimeClassName, err)
	}
	return rc.Handler, nil
}

// sandboxConfig builds the pod's sandbox config with the node's settings.
func (k *Kubelet) sandboxConfig(pod *v1.Pod, attempt uint32) *runtimeapi.PodSandboxConfig {
	dns := podDNSConfig(dnsInput{Pod: pod, ClusterDNS: k.cfg.ClusterDNS, ClusterDomain: k.cfg.ClusterDomain, Host: k.hostDNS})
	return buildSandboxConfig(pod, attempt, sandboxEnv{
		NodeHostname: k.cfg.Hostname, PodLogsDir: k.cfg.PodLogsDir, CgroupRoot: k.cfg.CgroupRoot,
		DNS: dns, SeccompDir: filepath.Join(k.cfg.RootDir, "seccomp"),
	}, k.cfg.ClusterDomain)
}

// startContainer pulls, creates and starts one container, then runs its
// postStart hook. On failure it returns the waiting reason to show.
func (k *Kubelet) startContainer(ctx context.Context, pod *v1.Pod, sandboxID string, sbCfg *runtimeapi.PodSandboxConfig,
	ips []string, hostsPath string, mounted volume.Mounted, s startAction) (waitingReason, error) {
	c := s.Container
	ref := containerRef(pod, c.Name)
	imageRef, image, wr, err := k.ensureImage(ctx, pod, c, sbCfg)
	if err != nil {
		return wr, err
	}
	var imageUID *int64
	imageUser := ""
	if image != nil {
		if image.Uid != nil {
			v := image.Uid.Value
			imageUID = &v
		}
		imageUser = image.Username
	}
	configErr := func(err error) (waitingReason, error) {
		k.recorder.Event(ref, v1.EventTypeWarning, "Failed", "Error: "+err.Error())
		return waitingReason{Reason: "CreateContainerConfigError", Message: err.Error()}, err
	}
	if err := verifyRunAsNonRoot(pod, c, imageUID, imageUser); err != nil {
		return configErr(err)
	}
	env, err := containerEnv(ctx, k, pod, c, envContext{PodIPs: ips, HostIPs: k.hostIPs, Services: k.servicesFor(pod), NodeAllocatable: k.allocatable})
	if err != nil {
		return configErr(err)
	}
	mounts, err := volume.ContainerMounts(pod, c, mounted)
	if err != nil {
		return configErr(err)
	}
	if hostsPath != "" && !mountsPath(c, "/etc/hosts") {
		mounts = append(mounts, &runtimeapi.Mount{ContainerPath: "/etc/hosts", HostPath: hostsPath})
	}
	if c.TerminationMessagePath != "" && !mountsPath(c, filepath.Clean(c.TerminationMessagePath)) {
		path, err := k.prepareTerminationLog(pod, c.Name, s.RestartCount)
		if err != nil {
			return configErr(err)
		}
		mounts = append(mounts, &runtimeapi.Mount{ContainerPath: c.TerminationMessagePath, HostPath: path})
	}
	cfg := buildContainerConfig(containerInput{
		Pod: pod, Container: c, Init: s.Init, RestartCount: s.RestartCount, ImageRef: imageRef,
		Env: env, Mounts: mounts, MemCapacity: k.memCapacity, Critical: isCritical(pod),
		SeccompDir: filepath.Join(k.cfg.RootDir, "seccomp"),
	})
	if s.Restart {
		k.crashBack.next(crashKey(pod.UID, c.Name), k.now())
	}
	id, err := k.rt.CreateContainer(ctx, sandboxID, cfg, sbCfg)
	if err != nil {
		k.recorder.Event(ref, v1.EventTypeWarning, "Failed", "Error: "+err.Error())
		return waitingReason{Reason: "CreateContainerError", Message: err.Error()}, err
	}
	k.recorder.Event(ref, v1.EventTypeNormal, "Created", "Created container: "+c.Name)
	if err := k.rt.StartContainer(ctx, id); err != nil {
		k.recorder.Event(ref, v1.EventTypeWarning, "Failed", "Error: "+err.Error())
		return waitingReason{Reason: "RunContainerError", Message: err.Error()}, err
	}
	k.recorder.Event(ref, v1.EventTypeNormal, "Started", "Started container "+c.Name)
	if c.Lifecycle != nil && c.Lifecycle.PostStart != nil {
		hctx, cancel := context.WithTimeout(ctx, postStartTimeout)
		err := prober.RunHandler(hctx, c.Lifecycle.PostStart, pod, c, id, execAdapter{k.rt})
		cancel()
		if err != nil {
			msg := fmt.Sprintf("PostStartHook failed: %v", err)
			k.recorder.Event(ref, v1.EventTypeWarning, "FailedPostStartHook", msg)
			_ = k.rt.StopContainer(ctx, id, gracePeriod(pod))
			return waitingReason{Reason: "PostStartHookError", Message: msg}, err
		}
	}
	return waitingReason{}, nil
}

// ensureImage makes the container's image present as its pull policy says,
// with the pod's pull secrets, and returns the image reference to run.
func (k *Kubelet) ensureImage(ctx context.Context, pod *v1.Pod, c *v1.Container, sbCfg *runtimeapi.PodSandboxConfig) (string, *runtimeapi.Image, waitingReason, error) {
	ref := containerRef(pod, c.Name)
	if c.Image == "" {
		err := fmt.Errorf("container %s has no image", c.Name)
		return "", nil, waitingReason{Reason: "InvalidImageName", Message: err.Error()}, err
	}
	spec := &runtimeapi.ImageSpec{Image: c.Image, UserSpecifiedImage: c.Image}
	policy := pullPolicy(c)
	if resp, err := k.img.ImageStatus(ctx, spec, false); err == nil && resp.GetImage() != nil && policy != v1.PullAlways {
		return resp.Image.Id, resp.Image, waitingReason{}, nil
	}
	if policy == v1.PullNever {
		msg := fmt.Sprintf("Container image %q is not present with pull policy of Never", c.Image)
		k.recorder.Event(ref, v1.EventTypeWarning, "ErrImageNeverPull", msg)
		return "", nil, waitingReason{Reason: "ErrImageNeverPull", Message: msg}, fmt.Errorf("%s", msg)
	}
	key := string(pod.UID) + "/image/" + c.Image
	if k.pullBack.holding(key, k.now()) {
		msg := fmt.Sprintf("Back-off pulling image %q", c.Image)
		k.recorder.Event(ref, v1.EventTypeNormal, "BackOff", msg)
		return "", nil, waitingReason{Reason: "ImagePullBackOff", Message: msg}, fmt.Errorf("%s", msg)
	}
	k.recorder.Event(ref, v1.EventTypeNormal, "Pulling", fmt.Sprintf("Pulling image %q", c.Image))
	began := time.Now()
	auths := pullCredentials(c.Image, k.pullSecrets(ctx, pod))
	if len(auths) == 0 {
		auths = []*runtimeapi.AuthConfig{nil}
	}
	var imageRef string
	var err error
	for _, auth := range auths {
		if imageRef, err = k.img.PullImage(ctx, spec, auth, sbCfg); err == nil {
			break
		}
	}
	if err != nil {
		k.pullBack.next(key, k.now())
		k.recorder.Event(ref, v1.EventTypeWarning, "Failed", fmt.Sprintf("Failed to pull image %q: %v", c.Image, err))
		k.recorder.Event(ref, v1.EventTypeWarning, "Failed", "Error: ErrImagePull")
		return "", nil, waitingReason{Reason: "ErrImagePull", Message: err.Error()}, err
	}
	k.recorder.Event(ref, v1.EventTypeNormal, "Pulled", fmt.Sprintf("Successfully pulled image %q in %s", c.Image, time.Since(began).Round(time.Millisecond)))
	var image *runtimeapi.Image
	if resp, err := k.img.ImageStatus(ctx, &runtimeapi.ImageSpec{Image: imageRef}, false); err == nil {
		image = resp.GetImage()
	}
	return imageRef, image, waitingReason{}, nil
}

// pullSecrets reads the pod's imagePullSecrets; missing ones are skipped
// with a warning, as upstream.
func (k *Kubelet) pullSecrets(ctx context.Context, pod *v1.Pod) []*v1.Secret {
	var out []*v1.Secret
	for _, ref := range pod.Spec.ImagePullSecrets {
		s, err := k.Secret(ctx, pod.Namespace, ref.Name)
		if err != nil {
			k.recorder.Event(pod, v1.EventTypeWarning, "FailedToRetrieveImagePullSecret",
				fmt.Sprintf("Unable to retrieve some image pull secrets (%s); attempting to pull the image may not succeed.", ref.Name))
			continue
		}
		out = append(out, s)
	}
	return out
}

// ConfigMap and Secret read what env vars refer to, with the node's client
// (the Node authorizer allows what the node's pods reference).
func (k *Kubelet) ConfigMap(ctx context.Context, namespace, name string) (*v1.ConfigMap, error) {
	return k.cfg.Client.CoreV1().ConfigMaps(namespace).Get(ctx, name, metav1.GetOptions{})
}

func (k *Kubelet) Secret(ctx context.Context, namespace, name string) (*v1.Secret, error) {
	return k.cfg.Client.CoreV1().Secrets(namespace).Get(ctx, name, metav1.GetOptions{})
}

// writeHostsFile writes <pod dir>/etc-hosts (atomically) and returns its
// path; host-network pods get the host's file plus their aliases.
func (k *Kubelet) writeHostsFile(pod *v1.Pod, ips []string) (string, error) {
	dir := podDir(k.cfg.RootDir, pod.UID)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	var content string
	if pod.Spec.HostNetwork {
		host, _ := os.ReadFile("/etc/hosts")
		content = string(host) + hostAliases(pod)
	} else {
		hostname, fqdn := podHostname(pod, k.cfg.ClusterDomain, k.cfg.Hostname)
		content = hostsFile(pod, ips, hostname, fqdn)
	}
	path := filepath.Join(dir, "etc-hosts")
	if old, err := os.ReadFile(path); err == nil && string(old) == content {
		return path, nil
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// prepareTerminationLog creates the empty, world-writable file a container
// instance may write its termination message to.
func (k *Kubelet) prepareTerminationLog(pod *v1.Pod, name string, restartCount int) (string, error) {
	path := terminationLogHostPath(k.cfg.RootDir, pod.UID, name, restartCount)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o666)
	if err != nil {
		return "", err
	}
	f.Close()
	return path, os.Chmod(path, 0o666)
}

// stopPod stops every running container (with preStop hooks and the grace
// period) and then every ready sandbox, which frees the pod's IP.
func (k *Kubelet) stopPod(ctx context.Context, pod *v1.Pod, state *podState, grace int64, announce bool) error {
	running := state.runningContainers()
	errs := make(chan error, len(running))
	var wg sync.WaitGroup
	for _, cs := range running {
		wg.Add(1)
		go func(cs *containerState) {
			defer wg.Done()
			msg := ""
			if announce {
				msg = "Stopping container " + cs.Name
			}
			errs <- k.killContainer(ctx, pod, cs, grace, msg)
		}(cs)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	for _, sb := range state.Sandboxes {
		if !sb.Ready {
			continue
		}
		if err := k.rt.StopPodSandbox(ctx, sb.ID); err != nil {
			return fmt.Errorf("stopping sandbox %s: %w", sb.ID, err)
		}
	}
	return nil
}

// killContainer runs the preStop hook, then stops the container with what
// is left of the grace period.
func (k *Kubelet) killContainer(ctx context.Context, pod *v1.Pod, cs *containerState, grace int64, message string) error {
	if pod != nil {
		ref := containerRef(pod, cs.Name)
		if message != "" {
			k.recorder.Event(ref, v1.EventTypeNormal, "Killing", message)
		}
		if spec := findContainer(pod, cs.Name); spec != nil && spec.Lifecycle != nil && spec.Lifecycle.PreStop != nil && grace > 0 {
			began := time.Now()
			hctx, cancel := context.WithTimeout(ctx, time.Duration(grace)*time.Second)
			if err := prober.RunHandler(hctx, spec.Lifecycle.PreStop, pod, spec, cs.ID, execAdapter{k.rt}); err != nil {
				k.recorder.Event(ref, v1.EventTypeWarning, "FailedPreStopHook", fmt.Sprintf("PreStopHook failed: %v", err))
			}
			cancel()
			grace = max(grace-int64(time.Since(began).Seconds()), minGracePeriod)
		}
	}
	if err := k.rt.StopContainer(ctx, cs.ID, grace); err != nil {
		return fmt.Errorf("stopping container %s (%s): %w", cs.Name, cs.ID, err)
	}
	k.probeStates.forget(cs.ID)
	return nil
}

// gcContainers keeps the newest two instances of each container (the
// current one and the last dead one, for logs --previous) and removes
// older dead instances, their logs and sandboxes left empty.
func (k *Kubelet) gcContainers(ctx context.Context, state *podState) {
	seen := map[string]int{}
	perSandbox := map[string]int{}
	for _, c := range state.Containers {
		seen[c.Name]++
		if seen[c.Name] <= 2 || c.running() {
			perSandbox[c.SandboxID]++
			continue
		}
		if err := k.rt.RemoveContainer(ctx, c.ID); err != nil {
			perSandbox[c.SandboxID]++
			continue
		}
		k.removeContainerLog(state, c)
	}
	for i, sb := range state.Sandboxes {
		if i == 0 || sb.Ready || perSandbox[sb.ID] > 0 {
			continue
		}
		_ = k.rt.RemovePodSandbox(ctx, sb.ID)
	}
}

// removeContainerLog deletes a removed container's log file.
func (k *Kubelet) removeContainerLog(state *podState, c *containerState) {
	path := c.LogPath
	if path == "" && state.Name != "" {
		path = filepath.Join(podLogDir(k.cfg.PodLogsDir, state.Namespace, state.Name, string(state.UID)),
			containerLogPath(c.Name, c.RestartCount))
	}
	if path != "" {
		_ = os.Remove(path)
	}
}

// gracePeriod is the pod's deletion grace period when it is being deleted,
// else its terminationGracePeriodSeconds (default 30).
func gracePeriod(pod *v1.Pod) int64 {
	if pod == nil {
		return minGracePeriod
	}
	if pod.DeletionGracePeriodSeconds != nil {
		return *pod.DeletionGracePeriodSeconds
	}
	if pod.Spec.TerminationGracePeriodSeconds != nil {
		return *pod.Spec.TerminationGracePeriodSeconds
	}
	return 30
}

// isCritical marks pods the OOM killer should spare: static pods and the
// system priority classes.
func isCritical(pod *v1.Pod) bool {
	if pod.Annotations["kubernetes.io/config.source"] == "file" {
		return true
	}
	if pod.Spec.Priority != nil && *pod.Spec.Priority >= 2000000000 {
		return true
	}
	return pod.Spec.PriorityClassName == "system-node-critical" || pod.Spec.PriorityClassName == "system-cluster-critical"
}

func findInstance(state *podState, id string) *containerState {
	for _, c := range state.Containers {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func findContainer(pod *v1.Pod, name string) *v1.Container {
	for _, c := range allContainers(pod) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// containerRef points an event at one container of a pod, so kubectl
// describe shows which one.
func containerRef(pod *v1.Pod, name string) *v1.ObjectReference {
	ref := &v1.ObjectReference{
		Kind: "Pod", APIVersion: "v1", Namespace: pod.Namespace, Name: pod.Name,
		UID: pod.UID, ResourceVersion: pod.ResourceVersion,
	}
	for i := range pod.Spec.InitContainers {
		if pod.Spec.InitContainers[i].Name == name {
			ref.FieldPath = "spec.initContainers{" + name + "}"
			return ref
		}
	}
	ref.FieldPath = "spec.containers{" + name + "}"
	return ref
}
