package deployment

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"

	"github.com/hanok-dev/hanok/internal/controller/ownedpods"
)

// state is one sync's view of a Deployment: the object (its status as
// last written kept apart from the one being built) and its sets.
type state struct {
	d      *appsv1.Deployment
	stored appsv1.DeploymentStatus
	sets   []*appsv1.ReplicaSet
}

func (dc *Controller) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	cached, err := dc.dLister.Deployments(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	s := &state{d: cached.DeepCopy(), stored: *cached.Status.DeepCopy()}
	d := s.d
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		dc.recorder.Eventf(d, corev1.EventTypeWarning, "InvalidSelector", "invalid selector: %v", err)
		return nil
	}
	if sel.Empty() {
		dc.recorder.Eventf(d, corev1.EventTypeWarning, ReasonSelectingAll, "This deployment is selecting all pods. A non-empty selector is required.")
		if d.Status.ObservedGeneration < d.Generation {
			d.Status.ObservedGeneration = d.Generation
			return dc.writeStatus(ctx, s, d.Status)
		}
		return nil
	}
	if s.sets, err = dc.claimSets(ctx, d, sel); err != nil {
		return err
	}
	if d.DeletionTimestamp != nil {
		newRS, old := SplitNewOld(d, s.sets)
		return dc.writeStatus(ctx, s, CalculateStatus(d, newRS, append(old, newRS), dc.now()))
	}
	if c := PausedCondition(d, dc.now()); c != nil {
		SetCondition(&d.Status, *c)
		if err := dc.writeStatus(ctx, s, d.Status); err != nil {
			return err
		}
	}
	if d.Spec.Paused || IsScalingEvent(d, s.sets) {
		return dc.syncScale(ctx, s)
	}
	if d.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType {
		return dc.rolloutRecreate(ctx, s)
	}
	return dc.rolloutRolling(ctx, s)
}

// claimSets adopts matching orphan ReplicaSets and releases ones that no
// longer match, returning d's sets.
func (dc *Controller) claimSets(ctx context.Context, d *appsv1.Deployment, sel labels.Selector) ([]*appsv1.ReplicaSet, error) {
	all, err := dc.rsLister.ReplicaSets(d.Namespace).List(labels.Everything())
	if err != nil {
		return nil, err
	}
	claimer := ownedpods.Claimer[*appsv1.ReplicaSet]{
		Owner: d, GVK: deploymentKind, Selector: sel,
		CanAdopt: ownedpods.RecheckOwner(d, func(ctx context.Context) (metav1.Object, error) {
			return dc.client.AppsV1().Deployments(d.Namespace).Get(ctx, d.Name, metav1.GetOptions{})
		}),
		Patch: func(ctx context.Context, rs *appsv1.ReplicaSet, patch []byte) error {
			_, err := dc.client.AppsV1().ReplicaSets(rs.Namespace).Patch(ctx, rs.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{})
			return err
		},
	}
	return claimer.Claim(ctx, all)
}

// writeStatus stores st as d's status unless the stored one equals it.
func (dc *Controller) writeStatus(ctx context.Context, s *state, st appsv1.DeploymentStatus) error {
	if apiequality.Semantic.DeepEqual(st, s.stored) {
		return nil
	}
	d := s.d.DeepCopy()
	d.Status = st
	updated, err := dc.client.AppsV1().Deployments(d.Namespace).UpdateStatus(ctx, d, metav1.UpdateOptions{})
	if err != nil {
		return fmt.Errorf("updating status of deployment %s/%s: %w", d.Namespace, d.Name, err)
	}
	s.d.ResourceVersion = updated.ResourceVersion
	s.stored = *updated.Status.DeepCopy()
	return nil
}

// syncRolloutStatus writes the rollout's status and requeues d for its
// progress deadline.
func (dc *Controller) syncRolloutStatus(ctx context.Context, s *state, newRS *appsv1.ReplicaSet, all []*appsv1.ReplicaSet) error {
	now := dc.now()
	st := RolloutStatus(s.d, newRS, all, now)
	if err := dc.writeStatus(ctx, s, st); err != nil {
		return err
	}
	if wait := UntilDeadline(s.d, &st, now); wait > 0 {
		dc.loop.Queue.AddAfter(s.d.Namespace+"/"+s.d.Name, wait)
	}
	return nil
}

// syncScale resizes d's sets (a scaling event, or a paused Deployment)
// without rolling anything out.
func (dc *Controller) syncScale(ctx context.Context, s *state) error {
	newRS, old, err := dc.newAndOld(ctx, s, false)
	if err != nil {
		return err
	}
	all := append(old, newRS)
	for name, n := range ScalePlan(s.d, newRS, old) {
		for i, rs := range all {
			if rs != nil && rs.Name == name {
				if _, all[i], err = dc.scaleRS(ctx, s.d, rs, n); err != nil {
					return err
				}
			}
		}
	}
	newRS, old = all[len(all)-1], all[:len(all)-1]
	if s.d.Spec.Paused {
		if err := dc.prune(ctx, s.d, old); err != nil {
			return err
		}
	}
	return dc.writeStatus(ctx, s, CalculateStatus(s.d, newRS, all, dc.now()))
}

// rolloutRolling moves a RollingUpdate Deployment one step: scale the new
// set up as far as maxSurge allows, else scale old sets down as far as
// maxUnavailable allows, else prune history once complete.
func (dc *Controller) rolloutRolling(ctx context.Context, s *state) error {
	newRS, old, err := dc.newAndOld(ctx, s, true)
	if err != nil {
		return err
	}
	all := append(old, newRS)
	if n := NewRSReplicas(s.d, all, newRS); n != replicas(newRS.Spec.Replicas) {
		scaled, updated, err := dc.scaleRS(ctx, s.d, newRS, n)
		if err != nil {
			return err
		}
		if scaled {
			all[len(all)-1] = updated
			return dc.syncRolloutStatus(ctx, s, updated, all)
		}
	}
	plan := OldScaleDown(s.d, newRS, old)
	scaledDown := false
	for i, rs := range old {
		n, ok := plan[rs.Name]
		if !ok {
			continue
		}
		scaled, updated, err := dc.scaleRS(ctx, s.d, rs, n)
		if err != nil {
			return err
		}
		all[i] = updated
		scaledDown = scaledDown || scaled
	}
	if scaledDown {
		return dc.syncRolloutStatus(ctx, s, newRS, all)
	}
	if Complete(s.d, &s.d.Status) {
		if err := dc.prune(ctx, s.d, old); err != nil {
			return err
		}
	}
	return dc.syncRolloutStatus(ctx, s, newRS, all)
}

// rolloutRecreate moves a Recreate Deployment one step: old sets to zero,
// then wait until no old pod runs, then the new set to full size.
func (dc *Controller) rolloutRecreate(ctx context.Context, s *state) error {
	newRS, old, err := dc.newAndOld(ctx, s, false)
	if err != nil {
		return err
	}
	all := append(old, newRS)
	scaledDown := false
	for i, rs := range old {
		if replicas(rs.Spec.Replicas) == 0 {
			continue
		}
		scaled, updated, err := dc.scaleRS(ctx, s.d, rs, 0)
		if err != nil {
			return err
		}
		all[i] = updated
		scaledDown = scaledDown || scaled
	}
	if scaledDown || dc.oldPodsRunning(old) {
		return dc.syncRolloutStatus(ctx, s, newRS, all)
	}
	if newRS == nil {
		if newRS, old, err = dc.newAndOld(ctx, s, true); err != nil {
			return err
		}
		all = append(old, newRS)
	}
	scaled, updated, err := dc.scaleRS(ctx, s.d, newRS, replicas(s.d.Spec.Replicas))
	if err != nil {
		return err
	}
	all[len(all)-1] = updated
	if scaled {
		return dc.syncRolloutStatus(ctx, s, updated, all)
	}
	if Complete(s.d, &s.d.Status) {
		if err := dc.prune(ctx, s.d, old); err != nil {
			return err
		}
	}
	return dc.syncRolloutStatus(ctx, s, updated, all)
}

// oldPodsRunning says whether any pod of the old sets may still run.
func (dc *Controller) oldPodsRunning(old []*appsv1.ReplicaSet) bool {
	uids := map[types.UID]bool{}
	for _, rs := range old {
		if rs.Status.Replicas > 0 {
			return true
		}
		uids[rs.UID] = true
	}
	if len(old) == 0 {
		return false
	}
	pods, _ := dc.pods.Pods(old[0].Namespace).List(labels.Everything())
	for _, pod := range pods {
		ref := metav1.GetControllerOfNoCopy(pod)
		if ref == nil || !uids[ref.UID] {
			continue
		}
		if pod.Status.Phase != corev1.PodSucceeded && pod.Status.Phase != corev1.PodFailed {
			return true
		}
	}
	return false
}

// prune deletes old sets beyond revisionHistoryLimit.
func (dc *Controller) prune(ctx context.Context, d *appsv1.Deployment, old []*appsv1.ReplicaSet) error {
	if d.Spec.RevisionHistoryLimit == nil {
		return nil
	}
	for _, rs := range SetsToPrune(old, *d.Spec.RevisionHistoryLimit) {
		err := dc.client.AppsV1().ReplicaSets(rs.Namespace).Delete(ctx, rs.Name, metav1.DeleteOptions{
			Preconditions: &metav1.Preconditions{UID: &rs.UID}})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("pruning replica set %s: %w", rs.Name, err)
		}
	}
	return nil
}
