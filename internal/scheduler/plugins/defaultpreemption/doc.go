// Package defaultpreemption decides preemption, as upstream's
// DefaultPreemption: for a pod that fits no node, find nodes where
// evicting lower-priority pods would make it fit, keep on each node as
// many of those pods as possible (those whose PodDisruptionBudget would be
// violated reprieved first), and pick the node whose victims cost least
// (fewest PDB violations, then lowest top priority, lowest priority sum,
// fewest victims, latest start). It only decides; the scheduler deletes
// the victims and nominates the node.
package defaultpreemption
