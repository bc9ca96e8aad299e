package framework

// ClusterEvent is a kind of change in the cluster that can make pending
// pods schedulable.
type ClusterEvent string

const (
	NodeAdd           ClusterEvent = "NodeAdd"
	NodeUpdate        ClusterEvent = "NodeUpdate" // labels, taints, allocatable, unschedulable, images
	AssignedPodAdd    ClusterEvent = "AssignedPodAdd"
	AssignedPodUpdate ClusterEvent = "AssignedPodUpdate" // labels or requests
	AssignedPodDelete ClusterEvent = "AssignedPodDelete"
	PVCChange         ClusterEvent = "PVCChange"
	PVChange          ClusterEvent = "PVChange"
	StorageClassAdd   ClusterEvent = "StorageClassAdd"
	// UnschedulableTimeout is the periodic flush: every pod may move.
	UnschedulableTimeout ClusterEvent = "UnschedulableTimeout"
)
