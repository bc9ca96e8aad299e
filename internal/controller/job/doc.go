// Package job is the Job controller: it runs a Job's pods until enough
// of them succeed (completions, parallelism, Indexed completion) or the
// Job fails (backoffLimit, activeDeadlineSeconds, podFailurePolicy), and
// records the outcome in the Job's status.
//
// In: Jobs and pods from the shared informers (a pod event wakes its
// Job). Out: pods created from the template with the tracking finalizer
// batch.kubernetes.io/job-tracking and deleted when surplus or when the
// Job ends; the Job's status.
//
// Counting is crash-safe the way upstream's is: a finished pod keeps its
// finalizer until its uid is recorded in status.uncountedTerminatedPods;
// then the finalizer is removed; then the uid moves into the succeeded
// or failed counters. A restart between any two steps redoes the rest,
// and no pod is counted twice or lost to pod garbage collection.
//
// A Job that meets its success or failure criteria first gets the
// SuccessCriteriaMet or FailureTarget condition, and Complete or Failed
// once none of its pods runs any more, as upstream since 1.31.
// ttlSecondsAfterFinished belongs to the TTL-after-finished controller.
package job
