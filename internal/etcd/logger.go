package etcd

import (
	"strings"
	"sync/atomic"

	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// newLogger returns a zap logger for etcd (server and client) that writes
// through logrus with component=etcd, so etcd's few lines look like the rest
// of hanok's, at the given zap level. Known-harmless errors (see benign) are
// passed on at debug level.
func newLogger(level zapcore.Level, stopping *atomic.Bool) *zap.Logger {
	return zap.New(&logrusCore{
		LevelEnabler: level,
		log:          logrus.WithField("component", "etcd"),
		stopping:     stopping,
	})
}

// logrusCore is a zapcore.Core that hands entries to logrus.
type logrusCore struct {
	zapcore.LevelEnabler
	log      *logrus.Entry
	fields   []zapcore.Field
	stopping *atomic.Bool
}

func (c *logrusCore) With(fields []zapcore.Field) zapcore.Core {
	clone := *c
	clone.fields = append(append([]zapcore.Field(nil), c.fields...), fields...)
	return &clone
}

func (c *logrusCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}

func (c *logrusCore) Write(e zapcore.Entry, fields []zapcore.Field) error {
	enc := zapcore.NewMapObjectEncoder()
	for _, f := range c.fields {
		f.AddTo(enc)
	}
	for _, f := range fields {
		f.AddTo(enc)
	}
	entry := c.log.WithFields(logrus.Fields(enc.Fields))
	if e.LoggerName != "" {
		entry = entry.WithField("logger", e.LoggerName)
	}
	level := logrusLevel(e.Level)
	if c.benign(e.Message, enc.Fields) {
		level = logrus.DebugLevel
	}
	entry.Log(level, e.Message)
	return nil
}

// benign recognises errors etcd logs in normal operation:
//   - on a clean Close, one "serving failed" per listener it closed itself;
//   - right after bootstrap, its storage-version monitor may run before the
//     first commit has stored term and confstate (etcd-io/etcd#18978, which
//     etcd's maintainers call harmless and ignore in their own tests).
func (c *logrusCore) benign(msg string, fields map[string]any) bool {
	switch msg {
	case "setting up serving from embedded etcd failed.":
		return c.stopping.Load()
	case "failed to update storage version":
		err, _ := fields["error"].(string)
		return strings.Contains(err, "missing term information") ||
			strings.Contains(err, "missing confstate information")
	}
	return false
}

func (c *logrusCore) Sync() error { return nil }

// logrusLevel maps zap levels; panic and fatal become error because zap
// itself panics or exits after writing, and logrus must not do it twice.
func logrusLevel(l zapcore.Level) logrus.Level {
	switch {
	case l <= zapcore.DebugLevel:
		return logrus.DebugLevel
	case l == zapcore.InfoLevel:
		return logrus.InfoLevel
	case l == zapcore.WarnLevel:
		return logrus.WarnLevel
	default:
		return logrus.ErrorLevel
	}
}
