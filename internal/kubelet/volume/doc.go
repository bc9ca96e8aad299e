// Package volume prepares a pod's volumes on the host so the kubelet can hand
// them to the container runtime as bind mounts.
//
// Data flows in from the pod spec and, through the node's own client identity
// (system:node:<name>, which the Node authorizer lets read only what its pods
// reference), from the API server: configMaps, secrets, claims and their
// persistent volumes, service-account tokens (TokenRequest bound to the pod).
// It flows out as host folders under RootDir/pods/<uid>/volumes/<plugin>/<name>
// (Mounted), which ContainerMounts turns into CRI mounts for one container.
//
// Files built from API objects (configMap, secret, downwardAPI, projected)
// are written atomically (atomic_writer.go: a timestamped folder behind a
// "..data" symlink swapped by rename), so the kubelet re-running Mount
// refreshes running pods' files without a reader ever seeing half an update.
// secret and projected volumes sit on a tmpfs, as upstream. emptyDir is a
// folder or, with medium Memory, a sized tmpfs; hostPath and claims bound to
// hostPath/local volumes are used in place. Unmount undoes every mount below
// the pod's folder and removes it.
//
// The payloads (keys.go, downward.go), the subPath checks (subpath.go) and
// the hostPath type checks are plain functions tested with tables; the API
// reads and mount(2) calls are at the edges (apidata.go, claim.go,
// mount_linux.go).
package volume
