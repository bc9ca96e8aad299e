// Package volumebinding is a reduced VolumeBinding: a pod's
// PersistentVolumeClaims must exist; a claim bound to a volume with node
// affinity (a local or hostPath volume) pins the pod to the nodes that
// volume allows; an unbound claim of a WaitForFirstConsumer class is
// provisioned where the pod lands — PreBind sets the claim's
// volume.kubernetes.io/selected-node annotation and waits for the
// provisioner to bind it, as upstream. Matching unbound claims to
// existing static volumes is not done: such claims wait for a
// provisioner.
package volumebinding
