package statefulset

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

func (sc *Controller) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	cached, err := sc.sets.StatefulSets(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	set := cached.DeepCopy()
	sel, err := metav1.LabelSelectorAsSelector(set.Spec.Selector)
	if err != nil || sel.Empty() {
		sc.recorder.Eventf(set, corev1.EventTypeWarning, "InvalidSelector", "unusable selector: %v", err)
		return nil
	}
	pods, err := sc.claimPods(ctx, set, sel)
	if err != nil {
		return err
	}
	revs, err := sc.ownedRevisions(set)
	if err != nil {
		return err
	}
	current, update, err := sc.ensureRevisions(ctx, set, revs)
	if err != nil {
		return err
	}
	now := sc.now()
	var stepErr error
	if set.DeletionTimestamp == nil {
		step := NextStep(set, pods, current.Name, update.Name, now)
		stepErr = sc.apply(ctx, set, step, map[string]*appsv1.ControllerRevision{current.Name: current, update.Name: update})
	}
	st := ComputeStatus(set, pods, current.Name, update.Name, now)
	if !apiequality.Semantic.DeepEqual(st, set.Status) {
		c := set.DeepCopy()
		c.Status = st
		if _, err := sc.client.AppsV1().StatefulSets(ns).UpdateStatus(ctx, c, metav1.UpdateOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return errors.Join(stepErr, fmt.Errorf("updating status of statefulset %s: %w", key, err))
		}
	}
	ownedpods.RecheckWhenAvailable(sc.loop.Queue, key, pods, set.Spec.MinReadySeconds, now)
	return errors.Join(stepErr, sc.pruneRevisions(ctx, set, revs, pods, st))
}

func (sc *Controller) claimPods(ctx context.Context, set *appsv1.StatefulSet, sel labels.Selector) ([]*corev1.Pod, error) {
	all, err := sc.pods.Pods(set.Namespace).List(labels.Everything())
	if err != nil {
		return nil, err
	}
	claimer := ownedpods.PodClaimer(sc.client, set, setKind, sel, func(ctx context.Context) (metav1.Object, error) {
		return sc.client.AppsV1().StatefulSets(set.Namespace).Get(ctx, set.Name, metav1.GetOptions{})
	})
	return claimer.Claim(ctx, all)
}

func (sc *Controller) ownedRevisions(set *appsv1.StatefulSet) ([]*appsv1.ControllerRevision, error) {
	all, err := sc.revisions.ControllerRevisions(set.Namespace).List(labels.Everything())
	if err != nil {
		return nil, err
	}
	return ownedpods.ControlledBy(set, all), nil
}

// ensureRevisions finds or makes the revision of set's template (the
// update revision), giving an old one that comes back the next number,
// and returns it with the current revision.
func (sc *Controller) ensureRevisions(ctx context.Context, set *appsv1.StatefulSet, revs []*appsv1.ControllerRevision) (current, update *appsv1.ControllerRevision, err error) {
	top := MaxRevision(revs)
	want := NewRevision(set, setKind, set.Spec.Selector.MatchLabels, &set.Spec.Template, top+1, set.Status.CollisionCount)
	for _, r := range revs {
		if SameData(r, want) {
			update = r
			break
		}
	}
	switch {
	case update != nil && update.Revision < top:
		c := update.DeepCopy()
		c.Revision = top + 1
		if update, err = sc.client.AppsV1().ControllerRevisions(set.Namespace).Update(ctx, c, metav1.UpdateOptions{}); err != nil {
			return nil, nil, fmt.Errorf("renumbering revision %s: %w", c.Name, err)
		}
	case update == nil:
		created, err := sc.client.AppsV1().ControllerRevisions(set.Namespace).Create(ctx, want, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			existing, getErr := sc.client.AppsV1().ControllerRevisions(set.Namespace).Get(ctx, want.Name, metav1.GetOptions{})
			if getErr != nil {
				return nil, nil, getErr
			}
			if ref := metav1.GetControllerOfNoCopy(existing); ref != nil && ref.UID == set.UID && SameData(existing, want) {
				created, err = existing, nil
			} else {
				cc := int32(0)
				if set.Status.CollisionCount != nil {
					cc = *set.Status.CollisionCount
				}
				cc++
				c := set.DeepCopy()
				c.Status.CollisionCount = &cc
				if _, err := sc.client.AppsV1().StatefulSets(set.Namespace).UpdateStatus(ctx, c, metav1.UpdateOptions{}); err != nil {
					return nil, nil, err
				}
				return nil, nil, fmt.Errorf("revision name %s is taken (collision count now %d)", want.Name, cc)
			}
		}
		if err != nil {
			return nil, nil, fmt.Errorf("creating revision for statefulset %s: %w", set.Name, err)
		}
		update = created
	}
	current = update
	for _, r := range revs {
		if r.Name == set.Status.CurrentRevision {
			current = r
		}
	}
	return current, update, nil
}

// apply carries step out: creates (PVCs first) and deletes, in parallel.
func (sc *Controller) apply(ctx context.Context, set *appsv1.StatefulSet, step Step, revs map[string]*appsv1.ControllerRevision) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	for _, c := range step.Create {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := sc.createPod(ctx, set, c, revs[c.Revision]); err != nil {
				fail(err)
			}
		}()
	}
	for _, pod := range step.Delete {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := sc.deletePod(ctx, set, pod); err != nil {
				fail(err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (sc *Controller) createPod(ctx context.Context, set *appsv1.StatefulSet, c Creation, rev *appsv1.ControllerRevision) error {
	template := &set.Spec.Template
	if rev != nil {
		if t, err := TemplateOf(rev); err == nil {
			template = t
		}
	}
	name := PodName(set, c.Ordinal)
	for _, pvc := range NewClaims(set, name) {
		if _, err := sc.claims.PersistentVolumeClaims(set.Namespace).Get(pvc.Name); err == nil {
			continue
		}
		_, err := sc.client.CoreV1().PersistentVolumeClaims(set.Namespace).Create(ctx, pvc, metav1.CreateOptions{})
		switch {
		case err == nil:
			sc.recorder.Eventf(set, corev1.EventTypeNormal, "SuccessfulCreate", "create Claim %s Pod %s in StatefulSet %s success", pvc.Name, name, set.Name)
		case !apierrors.IsAlreadyExists(err):
			sc.recorder.Eventf(set, corev1.EventTypeWarning, "FailedCreate", "create Claim %s for Pod %s in StatefulSet %s failed error: %v", pvc.Name, name, set.Name, err)
			return err
		}
	}
	pod := NewPod(set, template, c.Revision, c.Ordinal)
	_, err := sc.client.CoreV1().Pods(set.Namespace).Create(ctx, pod, metav1.CreateOptions{})
	switch {
	case err == nil:
		sc.recorder.Eventf(set, corev1.EventTypeNormal, "SuccessfulCreate", "create Pod %s in StatefulSet %s successful", name, set.Name)
		return nil
	case apierrors.IsAlreadyExists(err) || apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause):
		return nil
	default:
		sc.recorder.Eventf(set, corev1.EventTypeWarning, "FailedCreate", "create Pod %s in StatefulSet %s failed error: %v", name, set.Name, err)
		return err
	}
}

func (sc *Controller) deletePod(ctx context.Context, set *appsv1.StatefulSet, pod *corev1.Pod) error {
	if err := sc.releaseClaimsOnScaleDown(ctx, set, pod); err != nil {
		return err
	}
	err := sc.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
		Preconditions: &metav1.Preconditions{UID: &pod.UID}})
	switch {
	case err == nil:
		sc.recorder.Eventf(set, corev1.EventTypeNormal, "SuccessfulDelete", "delete Pod %s in StatefulSet %s successful", pod.Name, set.Name)
		return nil
	case apierrors.IsNotFound(err) || apierrors.IsConflict(err):
		return nil
	default:
		sc.recorder.Eventf(set, corev1.EventTypeWarning, "FailedDelete", "delete Pod %s in StatefulSet %s failed error: %v", pod.Name, set.Name, err)
		return err
	}
}

// releaseClaimsOnScaleDown hands a condemned pod's PVCs to the pod (as
// owner) when the set's whenScaled policy is Delete, so they go with it.
func (sc *Controller) releaseClaimsOnScaleDown(ctx context.Context, set *appsv1.StatefulSet, pod *corev1.Pod) error {
	p := set.Spec.PersistentVolumeClaimRetentionPolicy
	start, end := Range(set)
	if ord := Ordinal(set, pod); p == nil || p.WhenScaled != appsv1.DeletePersistentVolumeClaimRetentionPolicyType || ord >= start && ord < end {
		return nil
	}
	for i := range set.Spec.VolumeClaimTemplates {
		pvc, err := sc.claims.PersistentVolumeClaims(set.Namespace).Get(ClaimName(&set.Spec.VolumeClaimTemplates[i], pod.Name))
		if err != nil {
			continue
		}
		owned := false
		for _, ref := range pvc.OwnerReferences {
			owned = owned || ref.UID == pod.UID
		}
		if owned {
			continue
		}
		c := pvc.DeepCopy()
		no := false
		c.OwnerReferences = append(c.OwnerReferences, metav1.OwnerReference{APIVersion: "v1", Kind: "Pod", Name: pod.Name, UID: pod.UID, Controller: &no})
		if _, err := sc.client.CoreV1().PersistentVolumeClaims(c.Namespace).Update(ctx, c, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("handing claim %s to pod %s: %w", c.Name, pod.Name, err)
		}
	}
	return nil
}

// pruneRevisions deletes revisions past the history limit that neither
// the status nor any pod uses.
func (sc *Controller) pruneRevisions(ctx context.Context, set *appsv1.StatefulSet, revs []*appsv1.ControllerRevision, pods []*corev1.Pod, st appsv1.StatefulSetStatus) error {
	live := map[string]bool{st.CurrentRevision: true, st.UpdateRevision: true}
	for _, pod := range pods {
		live[pod.Labels[RevisionLabel]] = true
	}
	limit := 10
	if set.Spec.RevisionHistoryLimit != nil {
		limit = int(*set.Spec.RevisionHistoryLimit)
	}
	var errs []error
	for _, r := range RevisionsToPrune(revs, live, limit) {
		err := sc.client.AppsV1().ControllerRevisions(r.Namespace).Delete(ctx, r.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
