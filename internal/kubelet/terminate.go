package kubelet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// terminatePod stops and removes everything of a pod that is being deleted
// (or is gone, or an orphan found in the runtime): preStop hooks and the
// grace period, the sandbox (freeing its IP), volumes, then the final API
// delete with grace 0 and a UID precondition, as upstream's kubelet does. It
// reports done once nothing is left.
func (k *Kubelet) terminatePod(ctx context.Context, w *podWorker, pod *v1.Pod, static bool, state *podState) (bool, error) {
	grace := gracePeriod(pod)
	if err := k.stopPod(ctx, pod, state, grace, pod != nil); err != nil {
		return false, err
	}
	var err error
	if state, err = k.cri.podState(ctx, w.uid); err != nil {
		return false, err
	}
	if pod != nil && !static {
		// The last status shows the containers terminated, with exit codes.
		if err := k.writeStatus(ctx, pod, false, k.statusWith(pod, state, w, k.terminalFor(pod.UID), true, k.now())); err != nil && !apierrors.IsNotFound(err) {
			log.WithError(err).Debug("writing the final status")
		}
	}
	for _, c := range state.Containers {
		if err := k.rt.RemoveContainer(ctx, c.ID); err != nil {
			return false, fmt.Errorf("removing container %s: %w", c.ID, err)
		}
	}
	for _, sb := range state.Sandboxes {
		if err := k.rt.RemovePodSandbox(ctx, sb.ID); err != nil {
			return false, fmt.Errorf("removing sandbox %s: %w", sb.ID, err)
		}
	}
	if err := k.volumes.Unmount(ctx, w.uid); err != nil {
		if pod != nil {
			k.recorder.Event(pod, v1.EventTypeWarning, "FailedUnmount", err.Error())
		}
		return false, err
	}
	k.probes.RemovePod(w.uid)
	k.crashBack.forgetPrefix(string(w.uid) + "/")
	k.pullBack.forgetPrefix(string(w.uid) + "/")
	k.cri.forgetPod(w.uid)
	dir := podDir(k.cfg.RootDir, w.uid)
	_ = os.Remove(filepath.Join(dir, "etc-hosts"))
	_ = os.RemoveAll(filepath.Join(dir, "containers"))
	_ = os.Remove(dir)
	if state.Name != "" {
		_ = os.RemoveAll(podLogDir(k.cfg.PodLogsDir, state.Namespace, state.Name, string(w.uid)))
	} else if pod != nil {
		_ = os.RemoveAll(podLogDir(k.cfg.PodLogsDir, pod.Namespace, pod.Name, string(w.uid)))
	}

	if pod != nil && !static && pod.DeletionTimestamp != nil {
		zero := int64(0)
		uid := pod.UID
		err := k.cfg.Client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
			GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &uid},
		})
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
			return false, fmt.Errorf("deleting pod %s/%s: %w", pod.Namespace, pod.Name, err)
		}
	}
	return true, nil
}
