// Package ttlafterfinished is upstream's TTL-after-finished controller: a
// Job with spec.ttlSecondsAfterFinished is deleted that many seconds after
// it finished (its Complete or Failed condition turned True), so finished
// Jobs and their pods do not pile up.
//
// In: Jobs from the shared informer; a finished Job with a TTL is queued,
// and re-queued for the moment its TTL runs out. Out: the Job deleted
// through the controller's own client (ttl-after-finished-controller,
// which may only read and delete Jobs), with foreground propagation (as
// upstream) so the garbage collector removes its pods before the Job goes. Before deleting, the
// controller reads the Job live from the API server and decides again:
// its TTL may have been changed (or the Job replaced) since the cache saw
// it. The delete carries the live Job's UID as a precondition.
//
// expiry.go is the pure part: when a Job's TTL runs out, for any "now".
package ttlafterfinished
