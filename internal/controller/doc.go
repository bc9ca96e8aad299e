// Package controller is what every reconcile loop of the controller
// manager shares: the Context a controller is built from (its own client,
// the shared informers, an event recorder) and Loop, the work queue of keys
// that calls a controller's sync(key) with rate-limited retries.
//
// Each controller lives in its own package, controller/<name>, and is the
// shape of upstream's sample-controller: informer event handlers enqueue
// keys; sync(key) reads the cache, computes the desired state and writes
// only the difference through the API. sync is level-triggered: run twice,
// or after a restart in the middle of anything, it gives the same result.
// The controller manager (controller/manager) builds the Contexts, starts
// the informers and runs every controller under one leader-elected Lease.
//
// Data flow: in through shared informers (list+watch on the API server),
// out through the controller's own client; never the store directly.
package controller
