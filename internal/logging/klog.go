package logging

import (
	"fmt"

	"github.com/go-logr/logr"
	"github.com/sirupsen/logrus"
	"k8s.io/klog/v2"
)

// RouteKlog makes klog (and so client-go) log through logrus: klog's info
// lines at debug level, its errors at warning level (a library's error is
// usually something it retries, such as a watch that broke).
func RouteKlog() {
	klog.SetLogger(logr.New(&sink{entry: logrus.WithField("component", "k8s")}))
}

// sink is a logr.LogSink over a logrus entry.
type sink struct {
	entry *logrus.Entry
	name  string
}

func (s *sink) Init(logr.RuntimeInfo) {}

// Enabled passes klog's verbosity 0 and 1 lines (upstream's "normal" and
// "useful") when logrus is at debug level; more verbose ones never.
func (s *sink) Enabled(level int) bool {
	return level <= 1 && s.entry.Logger.IsLevelEnabled(logrus.DebugLevel)
}

func (s *sink) Info(_ int, msg string, kv ...any) {
	s.with(kv).Debug(msg)
}

func (s *sink) Error(err error, msg string, kv ...any) {
	s.with(kv).WithError(err).Warn(msg)
}

func (s *sink) WithValues(kv ...any) logr.LogSink {
	return &sink{entry: s.with(kv), name: s.name}
}

func (s *sink) WithName(name string) logr.LogSink {
	if s.name != "" {
		name = s.name + "/" + name
	}
	return &sink{entry: s.entry.WithField("logger", name), name: name}
}

func (s *sink) with(kv []any) *logrus.Entry {
	if len(kv) == 0 {
		return s.entry
	}
	fields := logrus.Fields{}
	for i := 0; i+1 < len(kv); i += 2 {
		fields[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return s.entry.WithFields(fields)
}
