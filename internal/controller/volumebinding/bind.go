package volumebinding

import (
	"context"
	"fmt"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// volumeBoundTo is volume with its claimRef pointing at claim (UID
// included), marked bound-by-controller when it was not already bound to
// claim; changed says it differs from volume.
func volumeBoundTo(volume *corev1.PersistentVolume, claim *corev1.PersistentVolumeClaim) (out *corev1.PersistentVolume, changed bool) {
	out = volume.DeepCopy()
	if !BoundToClaim(volume, claim) {
		setAnnotation(&out.ObjectMeta, AnnBoundByController)
		changed = true
	}
	ref := volume.Spec.ClaimRef
	if ref == nil || ref.Name != claim.Name || ref.Namespace != claim.Namespace || ref.UID != claim.UID {
		out.Spec.ClaimRef = &corev1.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1",
			Namespace: claim.Namespace, Name: claim.Name, UID: claim.UID, ResourceVersion: claim.ResourceVersion}
		changed = true
	}
	return out, changed
}

// claimBoundTo is claim with spec.volumeName set to volume (marked
// bound-by-controller when the binder chose it) and bind-completed.
func claimBoundTo(claim *corev1.PersistentVolumeClaim, volume *corev1.PersistentVolume) (out *corev1.PersistentVolumeClaim, changed bool) {
	out = claim.DeepCopy()
	if claim.Spec.VolumeName != volume.Name {
		out.Spec.VolumeName = volume.Name
		setAnnotation(&out.ObjectMeta, AnnBoundByController)
		changed = true
	}
	if _, ok := claim.Annotations[AnnBindCompleted]; !ok {
		setAnnotation(&out.ObjectMeta, AnnBindCompleted)
		changed = true
	}
	return out, changed
}

// claimStatus is claim's status in phase: bound to volume, its access
// modes and (when the claim becomes Bound, or the volume is larger) its
// capacity; with no volume, neither.
func claimStatus(claim *corev1.PersistentVolumeClaim, phase corev1.PersistentVolumeClaimPhase, volume *corev1.PersistentVolume) (out *corev1.PersistentVolumeClaim, changed bool, err error) {
	out = claim.DeepCopy()
	out.Status.Phase = phase
	if volume == nil {
		out.Status.AccessModes = nil
		out.Status.Capacity = nil
	} else {
		out.Status.AccessModes = slices.Clone(volume.Spec.AccessModes)
		// The capacity is set as the claim becomes Bound; later a smaller
		// figure may be deliberate (a filesystem smaller than its
		// device) and is kept, as upstream.
		if claim.Status.Phase != phase {
			have, ok := volume.Spec.Capacity[corev1.ResourceStorage]
			if !ok {
				return nil, false, fmt.Errorf("PersistentVolume %q is without a storage capacity", volume.Name)
			}
			cur, ok := claim.Status.Capacity[corev1.ResourceStorage]
			if !ok || have.Cmp(cur) > 0 {
				out.Status.Capacity = maps.Clone(volume.Spec.Capacity)
			}
		}
	}
	return out, !apiequality.Semantic.DeepEqual(out.Status, claim.Status), nil
}

func setAnnotation(m *metav1.ObjectMeta, key string) {
	if m.Annotations == nil {
		m.Annotations = map[string]string{}
	}
	m.Annotations[key] = "yes"
}

// bind links volume and claim in upstream's order: volume spec, volume
// status, claim spec, claim status. Each write is skipped when already
// done, so a bind cut short by a crash is finished by the next sync.
func (c *Controller) bind(ctx context.Context, volume *corev1.PersistentVolume, claim *corev1.PersistentVolumeClaim) error {
	log := c.log.WithField("claim", claim.Namespace+"/"+claim.Name).WithField("volume", volume.Name)
	if v, changed := volumeBoundTo(volume, claim); changed {
		updated, err := c.client.CoreV1().PersistentVolumes().Update(ctx, v, metav1.UpdateOptions{})
		if err != nil {
			return fmt.Errorf("binding volume %s to claim %s/%s: %w", volume.Name, claim.Namespace, claim.Name, err)
		}
		volume = updated
	}
	volume, err := c.setVolumePhase(ctx, volume, corev1.VolumeBound, "")
	if err != nil {
		return err
	}
	if cl, changed := claimBoundTo(claim, volume); changed {
		updated, err := c.client.CoreV1().PersistentVolumeClaims(claim.Namespace).Update(ctx, cl, metav1.UpdateOptions{})
		if err != nil {
			return fmt.Errorf("binding claim %s/%s to volume %s: %w", claim.Namespace, claim.Name, volume.Name, err)
		}
		claim = updated
	}
	if _, err := c.setClaimStatus(ctx, claim, corev1.ClaimBound, volume); err != nil {
		return err
	}
	log.Debug("bound")
	return nil
}

// setVolumePhase writes volume's phase (and message) unless it is so.
func (c *Controller) setVolumePhase(ctx context.Context, volume *corev1.PersistentVolume, phase corev1.PersistentVolumePhase, message string) (*corev1.PersistentVolume, error) {
	if volume.Status.Phase == phase && volume.Status.Message == message {
		return volume, nil
	}
	v := volume.DeepCopy()
	v.Status.Phase = phase
	v.Status.Message = message
	now := metav1.Now()
	v.Status.LastPhaseTransitionTime = &now
	updated, err := c.client.CoreV1().PersistentVolumes().UpdateStatus(ctx, v, metav1.UpdateOptions{})
	if err != nil {
		return nil, fmt.Errorf("setting volume %s %s: %w", volume.Name, phase, err)
	}
	return updated, nil
}

// setClaimStatus writes claim's status for phase and volume unless it is
// so.
func (c *Controller) setClaimStatus(ctx context.Context, claim *corev1.PersistentVolumeClaim, phase corev1.PersistentVolumeClaimPhase, volume *corev1.PersistentVolume) (*corev1.PersistentVolumeClaim, error) {
	cl, changed, err := claimStatus(claim, phase, volume)
	if err != nil || !changed {
		return claim, err
	}
	updated, err := c.client.CoreV1().PersistentVolumeClaims(claim.Namespace).UpdateStatus(ctx, cl, metav1.UpdateOptions{})
	if err != nil {
		return nil, fmt.Errorf("setting claim %s/%s %s: %w", claim.Namespace, claim.Name, phase, err)
	}
	return updated, nil
}
