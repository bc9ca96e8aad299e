package volumebinding

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/cache"
)

// syncClaim moves one claim towards Bound (or Lost).
func (pc *Controller) syncClaim(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	claim, err := pc.claims.PersistentVolumeClaims(ns).Get(name)
	if apierrors.IsNotFound(err) {
		pc.events.forget(key)
		return nil
	}
	if err != nil {
		return err
	}
	if _, done := claim.Annotations[AnnBindCompleted]; done {
		return pc.syncBoundClaim(ctx, claim)
	}
	if claim.Spec.VolumeName != "" {
		return pc.syncClaimNamingVolume(ctx, claim)
	}
	return pc.syncUnboundClaim(ctx, claim)
}

// syncUnboundClaim finds claim a volume, or says why it waits.
func (pc *Controller) syncUnboundClaim(ctx context.Context, claim *corev1.PersistentVolumeClaim) error {
	key := claim.Namespace + "/" + claim.Name
	class := pc.classOf(claim)
	delay := delayed(class)
	var node *corev1.Node
	if name := claim.Annotations[AnnSelectedNode]; delay && name != "" {
		n, err := pc.nodes.Get(name)
		if err != nil && !apierrors.IsNotFound(err) {
			return err
		}
		if n == nil {
			// The chosen node is gone: no node-local volume can fit it;
			// the scheduler will choose again.
			n = &corev1.Node{}
			n.Name = name
		}
		node = n
	}
	volumes, err := pc.volumes.List(labels.Everything())
	if err != nil {
		return err
	}
	volume, err := BestMatch(claim, volumes, node, delay)
	if err != nil {
		return err
	}
	if volume != nil {
		pc.events.forget(key)
		return pc.bind(ctx, volume, claim)
	}
	switch {
	case delay && node == nil:
		pc.events.record(pc.recorder, key, claim, corev1.EventTypeNormal, EventWaitForFirstConsumer,
			"waiting for first consumer to be created before binding")
	case ClaimClass(claim) != "":
		if claim, err = pc.provision(ctx, claim, class); err != nil {
			return err
		}
	default:
		pc.events.record(pc.recorder, key, claim, corev1.EventTypeNormal, EventFailedBinding,
			"no persistent volumes available for this claim and no storage class is set")
	}
	_, err = pc.setClaimStatus(ctx, claim, corev1.ClaimPending, nil)
	return err
}

// provision hands claim to its class's external provisioner by annotating
// it, or reports why it cannot be provisioned. Nothing is provisioned
// here: hanok has no in-tree volume plugins.
func (pc *Controller) provision(ctx context.Context, claim *corev1.PersistentVolumeClaim, class *storagev1.StorageClass) (*corev1.PersistentVolumeClaim, error) {
	key := claim.Namespace + "/" + claim.Name
	name := ClaimClass(claim)
	if class == nil {
		pc.events.record(pc.recorder, key, claim, corev1.EventTypeWarning, EventProvisioningFailed,
			fmt.Sprintf("storageclass.storage.k8s.io %q not found", name))
		return claim, nil
	}
	if class.Provisioner == NoProvisioner || strings.HasPrefix(class.Provisioner, "kubernetes.io/") {
		// An in-tree plugin name: upstream would look for the plugin;
		// hanok has none.
		pc.events.record(pc.recorder, key, claim, corev1.EventTypeWarning, EventProvisioningFailed,
			fmt.Sprintf("no volume plugin matched name: %s", class.Provisioner))
		return claim, nil
	}
	if claim.Annotations[AnnStorageProvisioner] != class.Provisioner || claim.Annotations[AnnBetaStorageProvisioner] != class.Provisioner {
		cl := claim.DeepCopy()
		if cl.Annotations == nil {
			cl.Annotations = map[string]string{}
		}
		cl.Annotations[AnnStorageProvisioner] = class.Provisioner
		cl.Annotations[AnnBetaStorageProvisioner] = class.Provisioner
		updated, err := pc.client.CoreV1().PersistentVolumeClaims(claim.Namespace).Update(ctx, cl, metav1.UpdateOptions{})
		if err != nil {
			return nil, fmt.Errorf("annotating claim %s for provisioner %s: %w", key, class.Provisioner, err)
		}
		claim = updated
	}
	pc.events.record(pc.recorder, key, claim, corev1.EventTypeNormal, EventExternalProvisioning,
		fmt.Sprintf("Waiting for a volume to be created either by the external provisioner '%s' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.", class.Provisioner))
	return claim, nil
}

// syncClaimNamingVolume binds a claim whose user named its volume in
// spec.volumeName, if that volume exists, is free (or pre-bound to it)
// and fits.
func (pc *Controller) syncClaimNamingVolume(ctx context.Context, claim *corev1.PersistentVolumeClaim) error {
	key := claim.Namespace + "/" + claim.Name
	volume, err := pc.volumes.Get(claim.Spec.VolumeName)
	if apierrors.IsNotFound(err) {
		// Not there (yet): wait for it.
		_, err := pc.setClaimStatus(ctx, claim, corev1.ClaimPending, nil)
		return err
	}
	if err != nil {
		return err
	}
	switch {
	case volume.Spec.ClaimRef == nil:
		if err := Satisfies(volume, claim); err != nil {
			pc.events.record(pc.recorder, key, claim, corev1.EventTypeWarning, EventVolumeMismatch,
				fmt.Sprintf("Cannot bind to requested volume %q: %s", volume.Name, err))
			_, err := pc.setClaimStatus(ctx, claim, corev1.ClaimPending, nil)
			return err
		}
		pc.events.forget(key)
		return pc.bind(ctx, volume, claim)
	case BoundToClaim(volume, claim):
		return pc.bind(ctx, volume, claim)
	case claim.Annotations[AnnBoundByController] == "":
		// The user wants a volume someone else holds: wait.
		_, err := pc.setClaimStatus(ctx, claim, corev1.ClaimPending, nil)
		return err
	default:
		return fmt.Errorf("invalid binding of claim %s to volume %s: volume already claimed by %s/%s",
			key, volume.Name, volume.Spec.ClaimRef.Namespace, volume.Spec.ClaimRef.Name)
	}
}

// syncBoundClaim keeps a bound claim's binding whole, or marks it Lost.
func (pc *Controller) syncBoundClaim(ctx context.Context, claim *corev1.PersistentVolumeClaim) error {
	key := claim.Namespace + "/" + claim.Name
	lost := func(reason, message string) error {
		if claim.Status.Phase != corev1.ClaimLost {
			pc.events.record(pc.recorder, key, claim, corev1.EventTypeWarning, reason, message)
		}
		_, err := pc.setClaimStatus(ctx, claim, corev1.ClaimLost, nil)
		return err
	}
	if claim.Spec.VolumeName == "" {
		return lost(EventClaimLost, "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!")
	}
	volume, err := pc.volumes.Get(claim.Spec.VolumeName)
	if apierrors.IsNotFound(err) {
		return lost(EventClaimLost, "Bound claim has lost its PersistentVolume. Data on the volume is lost!")
	}
	if err != nil {
		return err
	}
	if volume.Spec.ClaimRef == nil || BoundToClaim(volume, claim) {
		// Finish (or re-check) the binding; a no-op when all is done.
		return pc.bind(ctx, volume, claim)
	}
	return lost(EventClaimMisbound, "Two claims are bound to the same volume, this one is bound incorrectly")
}
