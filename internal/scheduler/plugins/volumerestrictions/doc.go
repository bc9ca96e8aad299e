// Package volumerestrictions is VolumeRestrictions' ReadWriteOncePod
// rule: a claim with that access mode may be used by one pod in the whole
// cluster, so a second pod using it fits nowhere until the first is gone
// (preemption may evict it). Upstream's in-tree disk conflicts (GCE PD,
// EBS, iSCSI, RBD) are not checked: hanok has no such volumes.
package volumerestrictions
