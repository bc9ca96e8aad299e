// Package volumebinding is upstream's persistentvolume-binder (the
// PersistentVolume controller, service account persistent-volume-binder):
// it binds PersistentVolumeClaims to PersistentVolumes and releases
// volumes whose claim is gone.
//
// Matching (match.go, pure): an unbound claim gets the smallest Available
// volume of its storage class whose capacity, access modes, volume mode
// and labels (the claim's selector) fit, volumes with fewer access modes
// first; a volume pre-bound to the claim (spec.claimRef naming it) wins
// over any other, and a claim naming a volume (spec.volumeName) gets that
// one or waits. A claim of a WaitForFirstConsumer class stays Pending
// until the scheduler writes volume.kubernetes.io/selected-node on it;
// then only volumes whose node affinity admits that node qualify. When
// nothing fits and the class names an external provisioner, the claim is
// annotated volume.kubernetes.io/storage-provisioner (and the beta key)
// for that provisioner (local-path and the like) to act on; dynamic
// provisioning itself is not done here.
//
// Binding (bind.go) writes in upstream's order, each step idempotent so a
// crash between any two converges on the next sync: volume spec.claimRef
// (+ pv.kubernetes.io/bound-by-controller), volume status Bound, claim
// spec.volumeName (+ pv.kubernetes.io/bind-completed, bound-by-controller),
// claim status Bound with the volume's capacity and access modes. A
// volume whose claimRef has a UID is treated as taken by that claim, so
// a half-done bind is finished rather than redone elsewhere.
//
// Release (volumes.go): a volume bound to a claim that no longer exists
// (checked in the cache, then live, so a claim the cache has not seen yet
// is not mistaken for a deleted one) goes Released and its reclaim policy
// applies: Retain keeps it; Delete deletes the PersistentVolume object
// unless an external provisioner made it (pv.kubernetes.io/provisioned-by),
// whose own deleter then cleans the storage up; Recycle is not supported
// and fails the volume, as upstream without a recycler plugin.
//
// In: claims, volumes, StorageClasses and nodes from the shared
// informers, two queues (claims by namespace/name, volumes by name). Out:
// claims and volumes (and their status) through the binder's own client,
// events as upstream's persistentvolume-controller (FailedBinding,
// ProvisioningFailed, ExternalProvisioning, WaitForFirstConsumer,
// VolumeMismatch, ClaimLost, ClaimMisbound, VolumeFailedRecycle,
// VolumeFailedDelete), each recorded once per state, not once per sync.
package volumebinding
