package job

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"
)

// removeFinalizer takes the tracking finalizer off pod; the patch tests
// that the finalizer is where the cache saw it, so a stale cache fails
// the patch instead of removing another finalizer.
func (jc *Controller) removeFinalizer(ctx context.Context, pod *corev1.Pod) error {
	i := -1
	for j, f := range pod.Finalizers {
		if f == TrackingFinalizer {
			i = j
		}
	}
	if i < 0 {
		return nil
	}
	path := fmt.Sprintf("/metadata/finalizers/%d", i)
	patch, _ := json.Marshal([]map[string]any{
		{"op": "test", "path": path, "value": TrackingFinalizer},
		{"op": "remove", "path": path},
	})
	_, err := jc.client.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.JSONPatchType, patch, metav1.PatchOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("removing the tracking finalizer of pod %s: %w", pod.Name, err)
	}
	return nil
}

// releaseOrphan removes the tracking finalizer of a pod whose Job is gone
// (or was never there).
func (jc *Controller) releaseOrphan(ctx context.Context, podKey string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(podKey)
	if err != nil {
		return nil
	}
	pod, err := jc.pods.Pods(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil || !hasFinalizer(pod) {
		return err
	}
	if key, ok := jc.owner(pod); ok {
		jc.loop.Queue.Add(key) // its Job is alive: it counts the pod
		return nil
	}
	return jc.removeFinalizer(ctx, pod)
}

// releasedPods remembers, per job, the pods whose tracking finalizer this
// controller removed until the cache shows it gone: until then the cache
// still shows the pod as finished-but-uncounted, and counting it again
// would count it twice.
type releasedPods struct {
	mu    sync.Mutex
	byJob map[string]map[types.UID]bool
}

func (r *releasedPods) add(jobKey string, uid types.UID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byJob == nil {
		r.byJob = map[string]map[types.UID]bool{}
	}
	if r.byJob[jobKey] == nil {
		r.byJob[jobKey] = map[types.UID]bool{}
	}
	r.byJob[jobKey][uid] = true
}

// pending are jobKey's released pods the cache (pods) still shows with
// the finalizer; the others are forgotten.
func (r *releasedPods) pending(jobKey string, pods []*corev1.Pod) map[types.UID]bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	set := r.byJob[jobKey]
	if len(set) == 0 {
		return nil
	}
	still := map[types.UID]bool{}
	for _, pod := range pods {
		if set[pod.UID] && hasFinalizer(pod) {
			still[pod.UID] = true
		}
	}
	if len(still) == 0 {
		delete(r.byJob, jobKey)
	} else {
		r.byJob[jobKey] = still
	}
	return still
}

func (r *releasedPods) forget(jobKey string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.byJob, jobKey)
}
