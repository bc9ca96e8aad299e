// Package leader runs a component only while it holds a coordination.k8s.io
// Lease, as upstream's --leader-elect: with several servers, exactly one
// scheduler and one controller manager act at a time, and when the holder
// dies another takes over once the lease expires. It is a thin layer over
// client-go's leaderelection: the identity, the timings hanok uses, and a
// Run that blocks like the component it guards.
//
// Data flow: reads and writes one Lease (kube-system/<name>) through the
// API with the component's own client; nothing else.
package leader
