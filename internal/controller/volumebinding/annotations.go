package volumebinding

// Upstream's annotations.
const (
	// AnnBindCompleted on a claim: the binder finished binding it.
	AnnBindCompleted = "pv.kubernetes.io/bind-completed"
	// AnnBoundByController on a claim or volume: the binder (not a user)
	// made the link, so the binder may undo it.
	AnnBoundByController = "pv.kubernetes.io/bound-by-controller"
	// AnnSelectedNode on a claim: the scheduler chose its first consumer's
	// node (WaitForFirstConsumer).
	AnnSelectedNode = "volume.kubernetes.io/selected-node"
	// AnnStorageProvisioner (and the beta key) on a claim: the external
	// provisioner expected to create its volume.
	AnnStorageProvisioner     = "volume.kubernetes.io/storage-provisioner"
	AnnBetaStorageProvisioner = "volume.beta.kubernetes.io/storage-provisioner"
	// AnnDynamicallyProvisioned on a volume: the provisioner that made it,
	// and so deletes it.
	AnnDynamicallyProvisioned = "pv.kubernetes.io/provisioned-by"
	// NoProvisioner is the provisioner name of classes that have none.
	NoProvisioner = "kubernetes.io/no-provisioner"
)

// Upstream's event reasons.
const (
	EventFailedBinding        = "FailedBinding"
	EventProvisioningFailed   = "ProvisioningFailed"
	EventExternalProvisioning = "ExternalProvisioning"
	EventWaitForFirstConsumer = "WaitForFirstConsumer"
	EventVolumeMismatch       = "VolumeMismatch"
	EventClaimLost            = "ClaimLost"
	EventClaimMisbound        = "ClaimMisbound"
	EventVolumeFailedRecycle  = "VolumeFailedRecycle"
	EventVolumeFailedDelete   = "VolumeFailedDelete"
)
