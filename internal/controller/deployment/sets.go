package deployment

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/controller/ownedpods"
)

// newAndOld splits d's sets into the one running its template and the
// others, bringing the new one's revision and annotations up to date and,
// when create is set, creating it if missing. It records the revision on
// d and the FoundNewReplicaSet / NewReplicaSetCreated condition in
// s.d.Status (written with the rollout status).
func (dc *Controller) newAndOld(ctx context.Context, s *state, create bool) (*appsv1.ReplicaSet, []*appsv1.ReplicaSet, error) {
	d := s.d
	newRS, old := SplitNewOld(d, s.sets)
	newRevision := MaxRevision(old) + 1
	now := dc.now()
	if newRS != nil {
		ann, changed := NewRSAnnotations(d, newRS, newRevision, false)
		if changed || newRS.Spec.MinReadySeconds != d.Spec.MinReadySeconds {
			rs := newRS.DeepCopy()
			rs.Annotations = ann
			rs.Spec.MinReadySeconds = d.Spec.MinReadySeconds
			updated, err := dc.client.AppsV1().ReplicaSets(rs.Namespace).Update(ctx, rs, metav1.UpdateOptions{})
			if err != nil {
				return nil, nil, fmt.Errorf("updating replica set %s: %w", rs.Name, err)
			}
			newRS = updated
		}
		if err := dc.setRevision(ctx, s, newRS.Annotations[RevisionAnnotation]); err != nil {
			return nil, nil, err
		}
		if HasProgressDeadline(d) && Condition(&d.Status, appsv1.DeploymentProgressing) == nil {
			SetCondition(&d.Status, NewCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue, ReasonFoundNewRS,
				fmt.Sprintf("Found new replica set %q", newRS.Name), now))
		}
		return newRS, old, nil
	}
	if !create {
		return nil, old, nil
	}

	hash := TemplateHash(&d.Spec.Template, d.Status.CollisionCount)
	rs := &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{
			Name:            d.Name + "-" + hash,
			Namespace:       d.Namespace,
			OwnerReferences: []metav1.OwnerReference{ownedpods.ControllerRef(d, deploymentKind)},
		},
		Spec: appsv1.ReplicaSetSpec{
			MinReadySeconds: d.Spec.MinReadySeconds,
			Selector:        d.Spec.Selector.DeepCopy(),
			Template:        *d.Spec.Template.DeepCopy(),
		},
	}
	if rs.Spec.Template.Labels == nil {
		rs.Spec.Template.Labels = map[string]string{}
	}
	rs.Spec.Template.Labels[appsv1.DefaultDeploymentUniqueLabelKey] = hash
	rs.Labels = map[string]string{}
	for k, v := range rs.Spec.Template.Labels {
		rs.Labels[k] = v
	}
	if rs.Spec.Selector.MatchLabels == nil {
		rs.Spec.Selector.MatchLabels = map[string]string{}
	}
	rs.Spec.Selector.MatchLabels[appsv1.DefaultDeploymentUniqueLabelKey] = hash
	zero := int32(0)
	rs.Spec.Replicas = &zero
	n := NewRSReplicas(d, append(old, rs), rs)
	rs.Spec.Replicas = &n
	rs.Annotations, _ = NewRSAnnotations(d, rs, newRevision, true)

	created, err := dc.client.AppsV1().ReplicaSets(d.Namespace).Create(ctx, rs, metav1.CreateOptions{})
	switch {
	case apierrors.IsAlreadyExists(err):
		existing, getErr := dc.client.AppsV1().ReplicaSets(d.Namespace).Get(ctx, rs.Name, metav1.GetOptions{})
		if getErr != nil {
			return nil, nil, getErr
		}
		if ref := metav1.GetControllerOfNoCopy(existing); ref != nil && ref.UID == d.UID && EqualIgnoreHash(&existing.Spec.Template, &d.Spec.Template) {
			// Ours, made by an earlier sync the cache has not shown yet.
			return existing, old, nil
		}
		// A hash collision: another template holds the name. Bump the
		// collision count so the next sync picks another name.
		cc := int32(0)
		if d.Status.CollisionCount != nil {
			cc = *d.Status.CollisionCount
		}
		cc++
		d.Status.CollisionCount = &cc
		st := CalculateStatus(d, nil, old, now)
		st.CollisionCount = &cc
		if werr := dc.writeStatus(ctx, s, st); werr != nil {
			return nil, nil, werr
		}
		return nil, nil, fmt.Errorf("replica set name %s is taken by another template (collision count now %d)", rs.Name, cc)
	case err != nil:
		msg := fmt.Sprintf("Failed to create new replica set %q: %v", rs.Name, err)
		dc.recorder.Event(d, corev1.EventTypeWarning, ReasonFailedRSCreate, msg)
		if HasProgressDeadline(d) {
			SetCondition(&d.Status, NewCondition(appsv1.DeploymentProgressing, corev1.ConditionFalse, ReasonFailedRSCreate, msg, now))
			_ = dc.writeStatus(ctx, s, d.Status)
		}
		return nil, nil, err
	}
	if n > 0 {
		dc.recorder.Eventf(d, corev1.EventTypeNormal, ReasonScalingReplicaSet, "Scaled up replica set %s from 0 to %d", created.Name, n)
	}
	if err := dc.setRevision(ctx, s, created.Annotations[RevisionAnnotation]); err != nil {
		return nil, nil, err
	}
	if HasProgressDeadline(d) {
		SetCondition(&d.Status, NewCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue, ReasonNewRSCreated,
			fmt.Sprintf("Created new replica set %q", created.Name), now))
	}
	return created, old, nil
}

// setRevision records revision in d's revision annotation.
func (dc *Controller) setRevision(ctx context.Context, s *state, revision string) error {
	if revision == "" || s.d.Annotations[RevisionAnnotation] == revision {
		return nil
	}
	d := s.d.DeepCopy()
	if d.Annotations == nil {
		d.Annotations = map[string]string{}
	}
	d.Annotations[RevisionAnnotation] = revision
	updated, err := dc.client.AppsV1().Deployments(d.Namespace).Update(ctx, d, metav1.UpdateOptions{})
	if err != nil {
		return fmt.Errorf("recording revision %s on deployment %s: %w", revision, d.Name, err)
	}
	s.d.Annotations = d.Annotations
	s.d.ResourceVersion = updated.ResourceVersion
	return nil
}

// scaleRS sets rs to n replicas and d's current replica annotations;
// scaled says whether the size changed.
func (dc *Controller) scaleRS(ctx context.Context, d *appsv1.Deployment, rs *appsv1.ReplicaSet, n int32) (bool, *appsv1.ReplicaSet, error) {
	from := replicas(rs.Spec.Replicas)
	want := replicaAnnotations(d)
	annotationsStale := rs.Annotations[DesiredReplicasAnnotation] != want[DesiredReplicasAnnotation] ||
		rs.Annotations[MaxReplicasAnnotation] != want[MaxReplicasAnnotation]
	if from == n && !annotationsStale {
		return false, rs, nil
	}
	c := rs.DeepCopy()
	c.Spec.Replicas = &n
	if c.Annotations == nil {
		c.Annotations = map[string]string{}
	}
	for k, v := range want {
		c.Annotations[k] = v
	}
	updated, err := dc.client.AppsV1().ReplicaSets(c.Namespace).Update(ctx, c, metav1.UpdateOptions{})
	if err != nil {
		return false, rs, fmt.Errorf("scaling replica set %s to %d: %w", rs.Name, n, err)
	}
	if from != n {
		dir := "up"
		if n < from {
			dir = "down"
		}
		dc.recorder.Eventf(d, corev1.EventTypeNormal, ReasonScalingReplicaSet, "Scaled %s replica set %s from %d to %d", dir, rs.Name, from, n)
	}
	return from != n, updated, nil
}
