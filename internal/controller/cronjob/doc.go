// Package cronjob is the CronJob controller: it creates a Job from a
// CronJob's jobTemplate at each time its schedule names, in its time
// zone, as its concurrencyPolicy allows, and keeps its history of
// finished Jobs to the configured limits.
//
// In: CronJobs and Jobs from the shared informers (a Job event wakes the
// CronJob controlling it). Out: Jobs created (named <cronjob>-<minutes
// since the epoch of the scheduled time>, so a retry after a crash finds
// the Job it already made instead of making another), Jobs deleted
// (Replace policy, history limits) and the CronJob's status (active,
// lastScheduleTime, lastSuccessfulTime). Between runs the CronJob's key
// waits in the queue until its next scheduled time.
//
// schedule.go holds the pure part: which scheduled time is due, and how
// many were missed, for any "now".
package cronjob
