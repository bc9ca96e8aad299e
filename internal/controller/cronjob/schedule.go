package cronjob

import (
	"fmt"
	"time"
	_ "time/tzdata" // time zones must not depend on the host's zoneinfo

	"github.com/robfig/cron/v3"
	batchv1 "k8s.io/api/batch/v1"
)

// Schedule is cj's parsed schedule in its time zone (UTC, or the local
// zone of a TZ= prefix in the schedule, when timeZone is unset).
func Schedule(cj *batchv1.CronJob) (cron.Schedule, error) {
	spec := cj.Spec.Schedule
	if tz := cj.Spec.TimeZone; tz != nil && *tz != "" {
		if _, err := time.LoadLocation(*tz); err != nil {
			return nil, fmt.Errorf("unknown time zone %q: %w", *tz, err)
		}
		spec = "CRON_TZ=" + *tz + " " + spec
	}
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("unparseable schedule %q: %w", cj.Spec.Schedule, err)
	}
	return s, nil
}

// tooMany is where counting missed times stops.
const tooMany = 100

// Due is the latest scheduled time in (earliest, now], or nil; missed
// counts the scheduled times in that window (capped at tooMany+1). It
// finds the latest time by bisection, so a CronJob idle for years with a
// per-minute schedule costs a few dozen Next calls, not millions.
func Due(s cron.Schedule, earliest, now time.Time) (due *time.Time, missed int) {
	first := s.Next(earliest)
	if first.After(now) {
		return nil, 0
	}
	for t := first; !t.After(now) && missed <= tooMany; t = s.Next(t) {
		missed++
	}
	// Bisect for the last lo with Next(lo) <= now.
	lo, hi := earliest, now
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2)
		if s.Next(mid).After(now) {
			hi = mid
		} else {
			lo = mid
		}
	}
	t := s.Next(lo)
	return &t, missed
}

// Earliest is the time after which a scheduled run of cj may still
// start at now: its last scheduled time (else its creation), but no
// earlier than startingDeadlineSeconds ago.
func Earliest(cj *batchv1.CronJob, now time.Time) time.Time {
	earliest := cj.CreationTimestamp.Time
	if cj.Status.LastScheduleTime != nil {
		earliest = cj.Status.LastScheduleTime.Time
	}
	if d := cj.Spec.StartingDeadlineSeconds; d != nil {
		if window := now.Add(-time.Duration(*d) * time.Second); window.After(earliest) {
			earliest = window
		}
	}
	return earliest
}

// JobName is the name of cj's Job for scheduled: the same for every
// attempt at the same run.
func JobName(cj *batchv1.CronJob, scheduled time.Time) string {
	return fmt.Sprintf("%s-%d", cj.Name, scheduled.Unix()/60)
}
