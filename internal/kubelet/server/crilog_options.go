package server

import (
	"fmt"
	"net/url"
	"strconv"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// logOptions is what a containerLogs request asks for, resolved against
// the time of the request.
type logOptions struct {
	follow     bool
	previous   bool
	timestamps bool
	tail       int64     // messages from the end; -1 for all
	limitBytes int64     // 0 for no limit
	since      time.Time // zero for no bound
	stream     string    // "stdout", "stderr" or "" for both
}

// parseLogOptions reads the query the API server forwards for pods/log
// (v1.PodLogOptions as URL parameters) and validates it as upstream does.
func parseLogOptions(q url.Values, now time.Time) (logOptions, error) {
	o, err := podLogOptions(q)
	if err != nil {
		return logOptions{}, fmt.Errorf("invalid log options: %w", err)
	}
	opts := logOptions{follow: o.Follow, previous: o.Previous, timestamps: o.Timestamps, tail: -1}
	if o.TailLines != nil {
		if *o.TailLines < 0 {
			return logOptions{}, fmt.Errorf("tailLines must be greater than or equal to 0")
		}
		opts.tail = *o.TailLines
	}
	if o.LimitBytes != nil {
		if *o.LimitBytes < 1 {
			return logOptions{}, fmt.Errorf("limitBytes must be greater than 0")
		}
		opts.limitBytes = *o.LimitBytes
	}
	if o.SinceSeconds != nil && o.SinceTime != nil {
		return logOptions{}, fmt.Errorf("at most one of sinceTime or sinceSeconds may be specified")
	}
	if o.SinceSeconds != nil {
		if *o.SinceSeconds < 1 {
			return logOptions{}, fmt.Errorf("sinceSeconds must be greater than 0")
		}
		opts.since = now.Add(-time.Duration(*o.SinceSeconds) * time.Second)
	}
	if o.SinceTime != nil {
		opts.since = o.SinceTime.Time
	}
	if o.Stream != nil {
		switch *o.Stream {
		case v1.LogStreamStdout:
			opts.stream = "stdout"
		case v1.LogStreamStderr:
			opts.stream = "stderr"
		case v1.LogStreamAll:
		default:
			return logOptions{}, fmt.Errorf("stream must be one of %s, %s or %s", v1.LogStreamAll, v1.LogStreamStdout, v1.LogStreamStderr)
		}
		if opts.tail >= 0 && opts.stream != "" {
			// Upstream refuses this pair: tail of one stream is ambiguous
			// in a file that interleaves both.
			return logOptions{}, fmt.Errorf("tailLines is not supported when stream is %s", *o.Stream)
		}
	}
	return opts, nil
}

// podLogOptions decodes v1.PodLogOptions from URL parameters. client-go's
// scheme has no url.Values conversion for it (that lives in the internal
// API packages), and the fields are few.
func podLogOptions(q url.Values) (v1.PodLogOptions, error) {
	var o v1.PodLogOptions
	var err error
	boolean := func(name string, dst *bool) {
		if v := q.Get(name); v != "" && err == nil {
			if *dst, err = strconv.ParseBool(v); err != nil {
				err = fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	integer := func(name string) *int64 {
		v := q.Get(name)
		if v == "" || err != nil {
			return nil
		}
		n, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil {
			err = fmt.Errorf("%s: %w", name, perr)
			return nil
		}
		return &n
	}
	o.Container = q.Get("container")
	boolean("follow", &o.Follow)
	boolean("previous", &o.Previous)
	boolean("timestamps", &o.Timestamps)
	boolean("insecureSkipTLSVerifyBackend", &o.InsecureSkipTLSVerifyBackend)
	o.TailLines = integer("tailLines")
	o.LimitBytes = integer("limitBytes")
	o.SinceSeconds = integer("sinceSeconds")
	if v := q.Get("sinceTime"); v != "" && err == nil {
		t, perr := time.Parse(time.RFC3339, v)
		if perr != nil {
			return o, fmt.Errorf("sinceTime: %w", perr)
		}
		mt := metav1.NewTime(t)
		o.SinceTime = &mt
	}
	if v := q.Get("stream"); v != "" {
		o.Stream = &v
	}
	return o, err
}
