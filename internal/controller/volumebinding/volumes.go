package volumebinding

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// syncVolume keeps one volume's phase true to its claim: Available when
// free, Bound when its claim holds it, Released (and reclaimed) when its
// claim is gone, unbound when the binder's choice lost to another volume.
func (pc *Controller) syncVolume(ctx context.Context, key string) error {
	volume, err := pc.volumes.Get(key)
	if apierrors.IsNotFound(err) {
		pc.events.forget("pv:" + key)
		return nil
	}
	if err != nil {
		return err
	}
	ref := volume.Spec.ClaimRef
	if ref == nil || ref.UID == "" {
		// Free, or pre-bound by name for a claim that will bind it.
		_, err := pc.setVolumePhase(ctx, volume, corev1.VolumeAvailable, "")
		return err
	}
	claim, err := pc.claimOf(ctx, volume)
	if err != nil {
		return err
	}
	switch {
	case claim == nil:
		return pc.release(ctx, volume)
	case claim.Spec.VolumeName == "":
		// Bound on the volume side only (a bind under way or cut short,
		// or a provisioner's new volume): the claim's sync finishes it.
		if modeMismatch(claim, volume) {
			pc.events.record(pc.recorder, "pv:"+key, volume, corev1.EventTypeWarning, EventVolumeMismatch,
				fmt.Sprintf("Cannot bind PersistentVolume to requested PersistentVolumeClaim %q due to incompatible volumeMode.", claim.Name))
			return nil
		}
		pc.claimLoop.Queue.Add(claim.Namespace + "/" + claim.Name)
		return nil
	case claim.Spec.VolumeName == volume.Name:
		_, err := pc.setVolumePhase(ctx, volume, corev1.VolumeBound, "")
		return err
	case volume.Annotations[AnnDynamicallyProvisioned] != "" && volume.Spec.PersistentVolumeReclaimPolicy == corev1.PersistentVolumeReclaimDelete:
		// Provisioned for a claim that got another volume: not needed.
		return pc.release(ctx, volume)
	default:
		// The claim went to another volume: free this one.
		return pc.unbind(ctx, volume)
	}
}

// claimOf is the claim volume's claimRef names, with that UID, or nil.
// A claim missing from the cache is looked up live before the volume is
// taken for released: a claim just created (by a provisioner's binding,
// or the scheduler's) may not have reached the cache yet.
func (pc *Controller) claimOf(ctx context.Context, volume *corev1.PersistentVolume) (*corev1.PersistentVolumeClaim, error) {
	ref := volume.Spec.ClaimRef
	claim, err := pc.claims.PersistentVolumeClaims(ref.Namespace).Get(ref.Name)
	if apierrors.IsNotFound(err) && volume.Status.Phase != corev1.VolumeReleased && volume.Status.Phase != corev1.VolumeFailed {
		claim, err = pc.client.CoreV1().PersistentVolumeClaims(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
	}
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if claim.UID != ref.UID {
		return nil, nil // deleted, and another made under the same name
	}
	return claim, nil
}

// release marks volume Released (a Failed one stays Failed, for the user
// to see) and applies its reclaim policy.
func (pc *Controller) release(ctx context.Context, volume *corev1.PersistentVolume) error {
	log := pc.log.WithField("volume", volume.Name)
	if volume.Status.Phase != corev1.VolumeReleased && volume.Status.Phase != corev1.VolumeFailed {
		v, err := pc.setVolumePhase(ctx, volume, corev1.VolumeReleased, "")
		if err != nil {
			return err
		}
		volume = v
		log.Debug("released; reclaim policy ", volume.Spec.PersistentVolumeReclaimPolicy)
	}
	switch volume.Spec.PersistentVolumeReclaimPolicy {
	case corev1.PersistentVolumeReclaimRetain:
		return nil // the data stays for the administrator
	case corev1.PersistentVolumeReclaimRecycle:
		msg := "No recycler plugin found for the volume!"
		pc.events.record(pc.recorder, "pv:"+volume.Name, volume, corev1.EventTypeWarning, EventVolumeFailedRecycle, msg)
		_, err := pc.setVolumePhase(ctx, volume, corev1.VolumeFailed, msg)
		return err
	case corev1.PersistentVolumeReclaimDelete:
		if p := volume.Annotations[AnnDynamicallyProvisioned]; p != "" {
			// Its provisioner deletes the storage, then the object.
			log.Debugf("waiting for provisioner %s to delete it", p)
			return nil
		}
		err := pc.client.CoreV1().PersistentVolumes().Delete(ctx, volume.Name, metav1.DeleteOptions{
			Preconditions: &metav1.Preconditions{UID: &volume.UID}})
		if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			return nil
		}
		if err != nil {
			pc.events.record(pc.recorder, "pv:"+volume.Name, volume, corev1.EventTypeWarning, EventVolumeFailedDelete, err.Error())
			return fmt.Errorf("deleting released volume %s: %w", volume.Name, err)
		}
		log.Debug("deleted")
		return nil
	}
	return nil
}

// unbind frees a volume whose claim is bound elsewhere: the binder's own
// link is dropped whole; a user's pre-binding keeps the claim's name and
// loses only the UID, so it waits for that claim again.
func (pc *Controller) unbind(ctx context.Context, volume *corev1.PersistentVolume) error {
	v := volume.DeepCopy()
	if _, ok := volume.Annotations[AnnBoundByController]; ok {
		v.Spec.ClaimRef = nil
		delete(v.Annotations, AnnBoundByController)
	} else {
		v.Spec.ClaimRef.UID = ""
	}
	updated, err := pc.client.CoreV1().PersistentVolumes().Update(ctx, v, metav1.UpdateOptions{})
	if err != nil {
		return fmt.Errorf("unbinding volume %s: %w", volume.Name, err)
	}
	_, err = pc.setVolumePhase(ctx, updated, corev1.VolumeAvailable, "")
	return err
}
