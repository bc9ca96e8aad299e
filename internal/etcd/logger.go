package etcd

import (
	"sync/atomic"

	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// shutdownNoise is what etcd logs at error level for every listener it
// closes itself during a clean Close; it is expected, not an error.
const shutdownNoise = "setting up serving from embedded etcd failed."

// newLogger returns a zap logger for etcd (server and client) that writes
// through logrus with component=etcd, so etcd's few lines look like the rest
// of hanok's, at the given zap level. Entries matching shutdownNoise are
// dropped once stopping is set.
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
	if c.stopping.Load() && e.Message == shutdownNoise {
		return nil
	}
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
	entry.Log(logrusLevel(e.Level), e.Message)
	return nil
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
