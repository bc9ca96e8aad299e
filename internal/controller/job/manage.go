package job

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/controller/ownedpods"
)

// managePods creates or deletes pods so job runs what it should, and
// returns by how much the number of active pods changed.
func (jc *Controller) managePods(ctx context.Context, key string, job *batchv1.Job, st *batchv1.JobStatus, pods, active []*corev1.Pod, now time.Time) (int32, error) {
	parallelism := int32(1)
	if job.Spec.Parallelism != nil {
		parallelism = *job.Spec.Parallelism
	}
	var surplus []*corev1.Pod
	var toCreate []int // completion indexes, or -1 for a non-indexed pod
	if isIndexed(job) {
		completed := ParseIndexes(st.CompletedIndexes, completions(job))
		running := Indexes{}
		var keep []*corev1.Pod
		for _, pod := range active {
			ix := Index(pod)
			if ix < 0 || ix >= completions(job) || completed[ix] || running[ix] {
				surplus = append(surplus, pod) // stray, done, or a duplicate
				continue
			}
			running[ix] = true
			keep = append(keep, pod)
		}
		if over := len(keep) - int(parallelism); over > 0 {
			surplus = append(surplus, ownedpods.PodsToDelete(keep, over)...)
		}
		if len(surplus) == 0 {
			toCreate = Missing(completed, running, completions(job), int(parallelism)-len(keep))
		}
	} else {
		succeeded := st.Succeeded
		if u := st.UncountedTerminatedPods; u != nil {
			succeeded += int32(len(u.Succeeded))
		}
		diff := len(active) - int(WantActive(job, succeeded))
		if diff > 0 {
			surplus = ownedpods.PodsToDelete(active, diff)
		}
		for range -diff {
			toCreate = append(toCreate, -1)
		}
	}
	if len(surplus) > 0 {
		deleted, err := jc.deletePods(ctx, key, job, surplus)
		return -deleted, err
	}
	if len(toCreate) == 0 {
		return 0, nil
	}
	if wait := jc.backoffLeft(st, pods, now); wait > 0 {
		jc.loop.Queue.AddAfter(key, wait)
		return 0, nil
	}
	toCreate = toCreate[:min(len(toCreate), ownedpods.BurstReplicas)]
	jc.expectations.ExpectCreations(key, len(toCreate))
	var (
		mu   sync.Mutex
		next int
	)
	created, err := ownedpods.SlowStart(len(toCreate), 1, func() error {
		mu.Lock()
		ix := toCreate[next]
		next++
		mu.Unlock()
		return jc.createPod(ctx, job, ix)
	})
	for range len(toCreate) - created {
		jc.expectations.CreationObserved(key)
	}
	return int32(created), err
}

// backoffLeft is how long pod replacement must still wait after the
// job's failures (0: go ahead).
func (jc *Controller) backoffLeft(st *batchv1.JobStatus, pods []*corev1.Pod, now time.Time) time.Duration {
	failures := st.Failed
	if u := st.UncountedTerminatedPods; u != nil {
		failures += int32(len(u.Failed))
	}
	if failures == 0 {
		return 0
	}
	var last time.Time
	for _, pod := range pods {
		if IsFailed(pod) {
			if t := finishedAt(pod); t.After(last) {
				last = t
			}
		}
	}
	if last.IsZero() {
		return 0
	}
	return max(last.Add(Backoff(failures, jc.backoff, jc.maxBackoff)).Sub(now), 0)
}

func (jc *Controller) createPod(ctx context.Context, job *batchv1.Job, index int) error {
	pod := ownedpods.PodFromTemplate(&job.Spec.Template, job, jobKind)
	pod.Finalizers = append(pod.Finalizers, TrackingFinalizer)
	if index >= 0 {
		ix := strconv.Itoa(index)
		pod.GenerateName = job.Name + "-" + ix + "-"
		if pod.Annotations == nil {
			pod.Annotations = map[string]string{}
		}
		if pod.Labels == nil {
			pod.Labels = map[string]string{}
		}
		pod.Annotations[batchv1.JobCompletionIndexAnnotation] = ix
		pod.Labels[batchv1.JobCompletionIndexAnnotation] = ix
		if pod.Spec.Hostname == "" {
			pod.Spec.Hostname = job.Name + "-" + ix
		}
		env := corev1.EnvVar{Name: "JOB_COMPLETION_INDEX", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{
			FieldPath: "metadata.annotations['" + batchv1.JobCompletionIndexAnnotation + "']"}}}
		for i := range pod.Spec.Containers {
			pod.Spec.Containers[i].Env = append(pod.Spec.Containers[i].Env, env)
		}
		for i := range pod.Spec.InitContainers {
			pod.Spec.InitContainers[i].Env = append(pod.Spec.InitContainers[i].Env, env)
		}
	}
	created, err := jc.client.CoreV1().Pods(job.Namespace).Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		if apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
			return nil
		}
		jc.recorder.Eventf(job, corev1.EventTypeWarning, "FailedCreate", "Error creating: %v", err)
		return err
	}
	jc.recorder.Eventf(job, corev1.EventTypeNormal, "SuccessfulCreate", "Created pod: %s", created.Name)
	return nil
}

// deletePods deletes pods in parallel and returns how many it deleted.
func (jc *Controller) deletePods(ctx context.Context, key string, job *batchv1.Job, pods []*corev1.Pod) (int32, error) {
	if len(pods) == 0 {
		return 0, nil
	}
	podKeys := make([]string, len(pods))
	for i, p := range pods {
		podKeys[i] = p.Namespace + "/" + p.Name
	}
	jc.expectations.ExpectDeletions(key, podKeys)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		deleted int32
		errs    []error
	)
	for i, pod := range pods {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := jc.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
				Preconditions: &metav1.Preconditions{UID: &pod.UID}})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				deleted++
				jc.recorder.Eventf(job, corev1.EventTypeNormal, "SuccessfulDelete", "Deleted pod: %s", pod.Name)
			case apierrors.IsNotFound(err) || apierrors.IsConflict(err):
				jc.expectations.DeletionObserved(key, podKeys[i])
			default:
				jc.expectations.DeletionObserved(key, podKeys[i])
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	return deleted, errors.Join(errs...)
}
