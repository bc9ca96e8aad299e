package apiserver

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestAuditLogFile: lines reach the file on Flush and Close, the file is
// private, and truncation (logrotate copytruncate) leaves no hole.
func TestAuditLogFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", fi.Mode(), err)
	}
	read := func() string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	steps := []struct {
		name string
		do   func()
		want string
	}{
		{"buffered", func() { _, _ = l.Write([]byte("one\n")) }, ""},
		{"flushed", func() { _ = l.Flush() }, "one\n"},
		{"more", func() { _, _ = l.Write([]byte("two\n")); _ = l.Flush() }, "one\ntwo\n"},
		{"truncated by rotation", func() {
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
			_, _ = l.Write([]byte("three\n"))
			_ = l.Flush()
		}, "three\n"},
		{"closed", func() { _, _ = l.Write([]byte("four\n")); _ = l.Close() }, "three\nfour\n"},
		{"closed twice", func() { _ = l.Close() }, "three\nfour\n"},
	}
	for _, st := range steps {
		st.do()
		if got := read(); got != st.want {
			t.Errorf("%s: file %q, want %q", st.name, got, st.want)
		}
	}

	// Reopening appends.
	l, err = OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = l.Write([]byte("five\n"))
	_ = l.Close()
	if got := read(); !bytes.Equal([]byte(got), []byte("three\nfour\nfive\n")) {
		t.Errorf("after reopen %q", got)
	}
}

func TestAuditLogOpenError(t *testing.T) {
	if _, err := OpenAuditLog(filepath.Join(t.TempDir(), "missing-dir", "audit.log")); err == nil {
		t.Error("no error for a missing directory")
	}
}
