// Package batch describes the batch/v1 kinds (jobs, cronjobs) for the generic
// REST handler: defaults (including a Job's generated selector), validation
// (pod failure and success policies, cron schedules and time zones), the
// status/spec split and table columns.
//
// Schedules are parsed with github.com/robfig/cron/v3, the parser upstream
// uses, so what validation accepts is exactly what the CronJob controller can
// schedule. time/tzdata is linked in so that timeZone validation does not
// depend on the host having a zoneinfo database.
package batch
