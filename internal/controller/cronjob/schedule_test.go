package cronjob

import (
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func ptr[T any](v T) *T { return &v }

func TestDue(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	cases := []struct {
		name, schedule, tz string
		earliest, now      string
		want               string // "" for none
		missed             int
	}{
		{"none yet", "*/5 * * * *", "", "2026-01-01T10:00:00Z", "2026-01-01T10:04:59Z", "", 0},
		{"one due", "*/5 * * * *", "", "2026-01-01T10:00:00Z", "2026-01-01T10:05:30Z", "2026-01-01T10:05:00Z", 1},
		{"latest of several", "*/5 * * * *", "", "2026-01-01T10:00:00Z", "2026-01-01T10:17:00Z", "2026-01-01T10:15:00Z", 3},
		{"years idle, per minute", "* * * * *", "", "2020-01-01T00:00:00Z", "2026-06-01T12:34:56Z", "2026-06-01T12:34:00Z", tooMany + 1},
		{"time zone", "0 9 * * *", "Asia/Seoul", "2026-01-01T00:00:00Z", "2026-01-02T01:00:00Z", "2026-01-02T00:00:00Z", 1},
		{"time zone, not yet", "0 9 * * *", "Asia/Seoul", "2026-01-01T00:00:00Z", "2026-01-01T23:59:00Z", "", 0},
		{"descriptor", "@hourly", "", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z", "2026-01-01T11:00:00Z", 1},
	}
	for _, c := range cases {
		cj := &batchv1.CronJob{Spec: batchv1.CronJobSpec{Schedule: c.schedule}}
		if c.tz != "" {
			cj.Spec.TimeZone = &c.tz
		}
		s, err := Schedule(cj)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		due, missed := Due(s, at(c.earliest), at(c.now))
		got := ""
		if due != nil {
			got = due.UTC().Format(time.RFC3339)
		}
		if got != c.want || missed != c.missed {
			t.Errorf("%s: got %q (%d missed), want %q (%d)", c.name, got, missed, c.want, c.missed)
		}
	}
	if _, err := Schedule(&batchv1.CronJob{Spec: batchv1.CronJobSpec{Schedule: "* * *"}}); err == nil {
		t.Error("bad schedule parsed")
	}
	if _, err := Schedule(&batchv1.CronJob{Spec: batchv1.CronJobSpec{Schedule: "* * * * *", TimeZone: ptr("Mars/Olympus")}}); err == nil {
		t.Error("bad time zone accepted")
	}
}

func TestEarliest(t *testing.T) {
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := created.Add(time.Hour)
	cj := &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{CreationTimestamp: metav1.NewTime(created)}}
	if got := Earliest(cj, now); !got.Equal(created) {
		t.Errorf("never ran: %v", got)
	}
	last := metav1.NewTime(created.Add(30 * time.Minute))
	cj.Status.LastScheduleTime = &last
	if got := Earliest(cj, now); !got.Equal(last.Time) {
		t.Errorf("ran: %v", got)
	}
	cj.Spec.StartingDeadlineSeconds = ptr(int64(60))
	if got := Earliest(cj, now); !got.Equal(now.Add(-time.Minute)) {
		t.Errorf("deadline: %v", got)
	}
}
