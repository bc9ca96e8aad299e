package daemonset

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
	"github.com/hanok-dev/hanok/internal/controller/statefulset"
)

func (dc *Controller) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	cached, err := dc.sets.DaemonSets(ns).Get(name)
	if apierrors.IsNotFound(err) {
		dc.expectations.Delete(key)
		return nil
	}
	if err != nil {
		return err
	}
	ds := cached.DeepCopy()
	sel, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
	if err != nil || sel.Empty() {
		dc.recorder.Eventf(ds, corev1.EventTypeWarning, "InvalidSelector", "unusable selector: %v", err)
		return nil
	}
	nodes, err := dc.nodes.List(labels.Everything())
	if err != nil {
		return err
	}
	pods, err := dc.claimPods(ctx, ds, sel)
	if err != nil {
		return err
	}
	revs, err := dc.ownedRevisions(ds)
	if err != nil {
		return err
	}
	update, err := dc.ensureRevision(ctx, ds, revs)
	if err != nil {
		return err
	}
	hash := update.Labels[HashLabel]
	now := dc.now()
	var planErr error
	if ds.DeletionTimestamp == nil && dc.expectations.Satisfied(key) {
		planErr = dc.apply(ctx, key, ds, NextPlan(ds, nodes, pods, hash, now), hash)
	}
	st := ComputeStatus(ds, nodes, pods, hash, now)
	if !apiequality.Semantic.DeepEqual(st, ds.Status) {
		c := ds.DeepCopy()
		c.Status = st
		if _, err := dc.client.AppsV1().DaemonSets(ns).UpdateStatus(ctx, c, metav1.UpdateOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return errors.Join(planErr, fmt.Errorf("updating status of daemonset %s: %w", key, err))
		}
	}
	ownedpods.RecheckWhenAvailable(dc.loop.Queue, key, pods, ds.Spec.MinReadySeconds, now)
	return errors.Join(planErr, dc.pruneRevisions(ctx, ds, revs, pods, hash))
}

func (dc *Controller) claimPods(ctx context.Context, ds *appsv1.DaemonSet, sel labels.Selector) ([]*corev1.Pod, error) {
	all, err := dc.pods.Pods(ds.Namespace).List(labels.Everything())
	if err != nil {
		return nil, err
	}
	claimer := ownedpods.PodClaimer(dc.client, ds, dsKind, sel, func(ctx context.Context) (metav1.Object, error) {
		return dc.client.AppsV1().DaemonSets(ds.Namespace).Get(ctx, ds.Name, metav1.GetOptions{})
	})
	return claimer.Claim(ctx, all)
}

func (dc *Controller) ownedRevisions(ds *appsv1.DaemonSet) ([]*appsv1.ControllerRevision, error) {
	all, err := dc.revisions.ControllerRevisions(ds.Namespace).List(labels.Everything())
	if err != nil {
		return nil, err
	}
	return ownedpods.ControlledBy(ds, all), nil
}

// ensureRevision finds or makes the revision of ds's template; an old
// template that comes back gets the next revision number.
func (dc *Controller) ensureRevision(ctx context.Context, ds *appsv1.DaemonSet, revs []*appsv1.ControllerRevision) (*appsv1.ControllerRevision, error) {
	top := statefulset.MaxRevision(revs)
	want := statefulset.NewRevision(ds, dsKind, ds.Spec.Selector.MatchLabels, &ds.Spec.Template, top+1, ds.Status.CollisionCount)
	want.Labels[HashLabel] = want.Labels[statefulset.RevisionHashLabel]
	delete(want.Labels, statefulset.RevisionHashLabel)
	for _, r := range revs {
		if !statefulset.SameData(r, want) {
			continue
		}
		if r.Revision >= top {
			return r, nil
		}
		c := r.DeepCopy()
		c.Revision = top + 1
		return dc.client.AppsV1().ControllerRevisions(ds.Namespace).Update(ctx, c, metav1.UpdateOptions{})
	}
	created, err := dc.client.AppsV1().ControllerRevisions(ds.Namespace).Create(ctx, want, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		existing, getErr := dc.client.AppsV1().ControllerRevisions(ds.Namespace).Get(ctx, want.Name, metav1.GetOptions{})
		if getErr != nil {
			return nil, getErr
		}
		if ref := metav1.GetControllerOfNoCopy(existing); ref != nil && ref.UID == ds.UID && statefulset.SameData(existing, want) {
			return existing, nil
		}
		cc := int32(0)
		if ds.Status.CollisionCount != nil {
			cc = *ds.Status.CollisionCount
		}
		cc++
		c := ds.DeepCopy()
		c.Status.CollisionCount = &cc
		if _, err := dc.client.AppsV1().DaemonSets(ds.Namespace).UpdateStatus(ctx, c, metav1.UpdateOptions{}); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("revision name %s is taken (collision count now %d)", want.Name, cc)
	}
	if err != nil {
		return nil, fmt.Errorf("creating revision for daemonset %s: %w", ds.Name, err)
	}
	return created, nil
}

func (dc *Controller) apply(ctx context.Context, key string, ds *appsv1.DaemonSet, plan Plan, hash string) error {
	if len(plan.Create)+len(plan.Delete) == 0 {
		return nil
	}
	creates := plan.Create[:min(len(plan.Create), ownedpods.BurstReplicas)]
	podKeys := make([]string, len(plan.Delete))
	for i, p := range plan.Delete {
		podKeys[i] = p.Namespace + "/" + p.Name
	}
	dc.expectations.Expect(key, len(creates), podKeys)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		next int
	)
	created, createErr := ownedpods.SlowStart(len(creates), 1, func() error {
		mu.Lock()
		node := creates[next]
		next++
		mu.Unlock()
		return dc.createPod(ctx, ds, node, hash)
	})
	for range len(creates) - created {
		dc.expectations.CreationObserved(key)
	}
	errs = append(errs, createErr)
	for i, pod := range plan.Delete {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := dc.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
				Preconditions: &metav1.Preconditions{UID: &pod.UID}})
			switch {
			case err == nil:
				dc.recorder.Eventf(ds, corev1.EventTypeNormal, "SuccessfulDelete", "Deleted pod: %s", pod.Name)
			case apierrors.IsNotFound(err) || apierrors.IsConflict(err):
				dc.expectations.DeletionObserved(key, podKeys[i])
			default:
				dc.expectations.DeletionObserved(key, podKeys[i])
				dc.recorder.Eventf(ds, corev1.EventTypeWarning, "FailedDelete", "Error deleting: %v", err)
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (dc *Controller) createPod(ctx context.Context, ds *appsv1.DaemonSet, node, hash string) error {
	pod := ownedpods.PodFromTemplate(&ds.Spec.Template, ds, dsKind)
	if pod.Labels == nil {
		pod.Labels = map[string]string{}
	}
	pod.Labels[HashLabel] = hash
	pod.Spec.Affinity = targetAffinity(pod.Spec.Affinity, node)
	pod.Spec.Tolerations = withDefaultTolerations(&pod.Spec)
	created, err := dc.client.CoreV1().Pods(ds.Namespace).Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		if apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
			return nil
		}
		dc.recorder.Eventf(ds, corev1.EventTypeWarning, "FailedCreate", "Error creating: %v", err)
		return err
	}
	dc.recorder.Eventf(ds, corev1.EventTypeNormal, "SuccessfulCreate", "Created pod: %s", created.Name)
	return nil
}

func (dc *Controller) pruneRevisions(ctx context.Context, ds *appsv1.DaemonSet, revs []*appsv1.ControllerRevision, pods []*corev1.Pod, hash string) error {
	liveHashes := map[string]bool{hash: true}
	for _, pod := range pods {
		liveHashes[pod.Labels[HashLabel]] = true
	}
	live := map[string]bool{}
	for _, r := range revs {
		if liveHashes[r.Labels[HashLabel]] {
			live[r.Name] = true
		}
	}
	limit := 10
	if ds.Spec.RevisionHistoryLimit != nil {
		limit = int(*ds.Spec.RevisionHistoryLimit)
	}
	var errs []error
	for _, r := range statefulset.RevisionsToPrune(revs, live, limit) {
		if err := dc.client.AppsV1().ControllerRevisions(r.Namespace).Delete(ctx, r.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
