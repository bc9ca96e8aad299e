// Package framework is the scheduler's plugin contract and the data the
// plugins read: a NodeInfo per node (the node plus the pods on it, their
// summed requests, used host ports and images), a Snapshot of all of them
// taken once per scheduling cycle, a CycleState for plugins to pass
// pre-computed data from PreFilter/PreScore to Filter/Score, and the
// Status/FitError that turn plugin verdicts into upstream's
// "0/3 nodes are available: ..." summary.
//
// Data flow: the scheduler's cache builds NodeInfos from informer events;
// the scheduling loop snapshots them and runs the plugins over the
// snapshot. Plugins never talk to the API: they are pure functions of the
// pod, the snapshot and (for volumes) listers handed to them at start.
package framework
