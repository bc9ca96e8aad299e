// Package scheduler is hanok's kube-scheduler: it watches pods and nodes
// through the API (client-go informers, identity system:kube-scheduler),
// keeps pending pods in a queue (active, backoff, unschedulable), and for
// each pod runs a profile's plugins — filter the nodes, score the
// survivors, pick the best — then binds it with pods/binding.
//
// Data flow: informers -> cache (nodes and the pods on them, plus
// assumed pods) and queue (pending pods). The scheduling loop pops a pod,
// snapshots the cache, runs the plugins (package framework, plugins under
// plugins/<name>), assumes the pod onto the chosen node in the cache and
// binds it in the background. A pod that fits nowhere gets a
// FailedScheduling event with upstream's summary, a PodScheduled=False
// condition, and waits in the queue until a cluster event could help;
// first, preemption (plugins/defaultpreemption decides) may evict
// lower-priority pods and nominate a node, which is then kept for the pod
// (nominator) and tried first on its next attempt.
//
// With LeaderElect, informers run on every candidate (so a new leader
// starts warm) but only the holder of the kube-system/kube-scheduler
// Lease schedules.
package scheduler
