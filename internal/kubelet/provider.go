package kubelet

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	v1 "k8s.io/api/core/v1"
	internalapi "k8s.io/cri-api/pkg/apis"

	"github.com/hanok-dev/hanok/internal/kubelet/server"
)

var _ server.Provider = (*Kubelet)(nil)

// providerTimeout bounds the CRI reads behind the kubelet server's lookups.
const providerTimeout = 10 * time.Second

// Pods returns the pods this kubelet runs: the API's (without mirror pods)
// and the static ones, with their mirror pod's status.
func (k *Kubelet) Pods() []*v1.Pod {
	k.mu.Lock()
	out := make([]*v1.Pod, 0, len(k.apiPods)+len(k.static))
	for _, p := range k.apiPods {
		out = append(out, p)
	}
	var static []*v1.Pod
	for _, p := range k.static {
		static = append(static, p)
	}
	k.mu.Unlock()
	for _, p := range static {
		if pod, _ := k.podByUID(p.UID); pod != nil {
			out = append(out, pod)
		}
	}
	return out
}

// findPod looks a pod up by namespace and name.
func (k *Kubelet) findPod(namespace, name string) (*v1.Pod, error) {
	for _, p := range k.Pods() {
		if p.Namespace == namespace && p.Name == name {
			return p, nil
		}
	}
	return nil, fmt.Errorf("pod %s/%s is not on node %s", namespace, name, k.cfg.NodeName)
}

// ContainerID returns the newest instance of a container (running or the
// last one that ran).
func (k *Kubelet) ContainerID(namespace, pod, container string) (string, error) {
	c, _, err := k.instance(namespace, pod, container, false)
	if err != nil {
		return "", err
	}
	return c.ID, nil
}

// ContainerLogPath returns the CRI log file of the newest instance, or of the
// one before it when previous is set (kubectl logs --previous).
func (k *Kubelet) ContainerLogPath(namespace, pod, container string, previous bool) (string, error) {
	c, st, err := k.instance(namespace, pod, container, previous)
	if err != nil {
		return "", err
	}
	if filepath.IsAbs(c.LogPath) {
		return c.LogPath, nil
	}
	return filepath.Join(podLogDir(k.cfg.PodLogsDir, st.Namespace, st.Name, string(st.UID)),
		containerLogPath(c.Name, c.RestartCount)), nil
}

// PodSandboxID returns the pod's newest sandbox.
func (k *Kubelet) PodSandboxID(namespace, pod string) (string, error) {
	p, err := k.findPod(namespace, pod)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), providerTimeout)
	defer cancel()
	st, err := k.cri.podState(ctx, p.UID)
	if err != nil {
		return "", err
	}
	sb := st.sandbox()
	if sb == nil {
		return "", fmt.Errorf("pod %s/%s has no sandbox", namespace, pod)
	}
	return sb.ID, nil
}

func (k *Kubelet) instance(namespace, pod, container string, previous bool) (*containerState, *podState, error) {
	p, err := k.findPod(namespace, pod)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), providerTimeout)
	defer cancel()
	st, err := k.cri.podState(ctx, p.UID)
	if err != nil {
		return nil, nil, err
	}
	st.Name, st.Namespace = p.Name, p.Namespace
	c := st.latest(container)
	if previous {
		c = st.previous(container)
		if c == nil {
			return nil, nil, fmt.Errorf("previous terminated container %q in pod %q not found", container, pod)
		}
	}
	if c == nil {
		return nil, nil, fmt.Errorf("container %q in pod %q is waiting to start", container, pod)
	}
	return c, st, nil
}

// Runtime is the kubelet's CRI runtime connection, for the kubelet server
// (exec, attach, port-forward) and stats to share.
func (k *Kubelet) Runtime() internalapi.RuntimeService { return k.rt }

// Images is the kubelet's CRI image service connection.
func (k *Kubelet) Images() internalapi.ImageManagerService { return k.img }
