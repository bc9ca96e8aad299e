// Package queue is the scheduling queue: pending pods wait in one of three
// places. activeQ holds pods ready to try, highest priority first, then
// oldest; backoffQ holds pods that failed recently, until their backoff
// (1s doubling to 10s per attempt) ends; unschedulable holds pods no node
// fits, until a cluster event that could help them (a node added, a pod
// deleted — only events that a plugin which rejected the pod cares about)
// or five minutes pass.
//
// Data flow: informer handlers call Add/Update/Delete and MoveOnEvent;
// the scheduling loop calls Pop, then Done or AddUnschedulable /
// AddBackoff with what happened. A move that happens while a pod is being
// scheduled sends that pod to backoff rather than unschedulable, so the
// event is not missed.
package queue
