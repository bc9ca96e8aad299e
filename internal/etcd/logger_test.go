package etcd

import (
	"bytes"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func TestLoggerLevelsAndNoise(t *testing.T) {
	var buf bytes.Buffer
	old, oldLevel := logrus.StandardLogger().Out, logrus.GetLevel()
	logrus.SetOutput(&buf)
	logrus.SetLevel(logrus.InfoLevel)
	defer func() { logrus.SetOutput(old); logrus.SetLevel(oldLevel) }()

	var stopping atomic.Bool
	lg := newLogger(zapcore.ErrorLevel, &stopping)
	tests := []struct {
		name  string
		log   func()
		shown string // substring expected in the output, "" for nothing
	}{
		{"info filtered by zap level", func() { lg.Info("starting") }, ""},
		{"error shown with fields", func() { lg.Error("disk full", zap.String("path", "/d")) }, "path=/d"},
		{"listener error while running", func() {
			lg.Error("setting up serving from embedded etcd failed.", zap.Error(errors.New("boom")))
		}, "boom"},
		{"listener error while stopping", func() {
			stopping.Store(true)
			lg.Error("setting up serving from embedded etcd failed.", zap.Error(errors.New("closed")))
		}, ""},
		{"bootstrap storage version race", func() {
			lg.Error("failed to update storage version",
				zap.Error(errors.New("cannot detect storage schema version: missing term information")))
		}, ""},
		{"named client logger", func() { lg.Named("client").Error("dial failed") }, "logger=client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf.Reset()
			tt.log()
			out := buf.String()
			if tt.shown == "" && out != "" {
				t.Errorf("expected no output, got %q", out)
			}
			if tt.shown != "" && (!strings.Contains(out, tt.shown) || !strings.Contains(out, "component=etcd")) {
				t.Errorf("output %q lacks %q or component=etcd", out, tt.shown)
			}
		})
	}
}
