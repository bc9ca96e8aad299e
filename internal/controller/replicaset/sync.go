package replicaset

import (
	"context"
	"errors"
	"fmt"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/cache"

	"github.com/hanok-dev/hanok/internal/controller/ownedpods"
)

func (rc *Controller) sync(ctx context.Context, k string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(k)
	if err != nil {
		return nil
	}
	rs, err := rc.src.get(ns, name)
	if apierrors.IsNotFound(err) {
		rc.expectations.Delete(k)
		return nil
	}
	if err != nil {
		return err
	}
	needsSync := rc.expectations.Satisfied(k)
	selector, err := selectorOf(rs)
	if err != nil {
		rc.recorder.Eventf(rs, corev1.EventTypeWarning, "InvalidSelector", "invalid selector: %v", err)
		return nil
	}
	all, err := rc.pods.Pods(ns).List(labels.Everything())
	if err != nil {
		return err
	}
	var active []*corev1.Pod
	for _, pod := range all {
		if ownedpods.IsActive(pod) {
			active = append(active, pod)
		}
	}
	claimer := ownedpods.PodClaimer(rc.client, rs, rc.src.gvk(), selector, func(ctx context.Context) (metav1.Object, error) {
		return rc.src.getFresh(ctx, ns, name)
	})
	pods, claimErr := claimer.Claim(ctx, active)

	var manageErr error
	if needsSync && rs.DeletionTimestamp == nil && claimErr == nil {
		manageErr = rc.manage(ctx, k, rs, pods)
	}
	now := rc.now()
	status := CalculateStatus(rs, pods, manageErr, now)
	if !apiequality.Semantic.DeepEqual(status, rs.Status) {
		updated := rs.DeepCopy()
		updated.Status = status
		if err := rc.src.updateStatus(ctx, updated); err != nil && !apierrors.IsNotFound(err) {
			return errors.Join(manageErr, claimErr, fmt.Errorf("updating status of %s: %w", k, err))
		}
	}
	ownedpods.RecheckWhenAvailable(rc.loop.Queue, k, pods, rs.Spec.MinReadySeconds, now)
	return errors.Join(manageErr, claimErr)
}

// manage creates or deletes pods so rs has its replica count.
func (rc *Controller) manage(ctx context.Context, k string, rs *appsv1.ReplicaSet, pods []*corev1.Pod) error {
	diff := len(pods) - int(replicasOf(rs))
	switch {
	case diff < 0:
		n := min(-diff, rc.burst)
		rc.expectations.ExpectCreations(k, n)
		created, err := ownedpods.SlowStart(n, 1, func() error { return rc.createPod(ctx, rs) })
		for range n - created {
			rc.expectations.CreationObserved(k) // never to be seen
		}
		return err
	case diff > 0:
		victims := ownedpods.PodsToDelete(pods, min(diff, rc.burst))
		podKeys := make([]string, len(victims))
		for i, p := range victims {
			podKeys[i] = p.Namespace + "/" + p.Name
		}
		rc.expectations.ExpectDeletions(k, podKeys)
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			errs []error
		)
		for i, pod := range victims {
			wg.Add(1)
			go func() {
				defer wg.Done()
				gone, err := rc.deletePodOf(ctx, rs, pod)
				if gone || err != nil {
					// No deletion event is coming from this delete.
					rc.expectations.DeletionObserved(k, podKeys[i])
				}
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		return errors.Join(errs...)
	}
	return nil
}

func (rc *Controller) createPod(ctx context.Context, rs *appsv1.ReplicaSet) error {
	pod := ownedpods.PodFromTemplate(&rs.Spec.Template, rs, rc.src.gvk())
	created, err := rc.client.CoreV1().Pods(rs.Namespace).Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		if apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
			return nil // the namespace is going: nothing to retry
		}
		rc.recorder.Eventf(rs, corev1.EventTypeWarning, "FailedCreate", "Error creating: %v", err)
		return err
	}
	rc.recorder.Eventf(rs, corev1.EventTypeNormal, "SuccessfulCreate", "Created pod: %s", created.Name)
	return nil
}

// deletePodOf deletes pod; gone says it had already gone (or been
// replaced) before this delete.
func (rc *Controller) deletePodOf(ctx context.Context, rs *appsv1.ReplicaSet, pod *corev1.Pod) (gone bool, err error) {
	err = rc.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
		Preconditions: &metav1.Preconditions{UID: &pod.UID}})
	switch {
	case err == nil:
		rc.recorder.Eventf(rs, corev1.EventTypeNormal, "SuccessfulDelete", "Deleted pod: %s", pod.Name)
		return false, nil
	case apierrors.IsNotFound(err) || apierrors.IsConflict(err):
		return true, nil
	default:
		rc.recorder.Eventf(rs, corev1.EventTypeWarning, "FailedDelete", "Error deleting: %v", err)
		return false, err
	}
}
