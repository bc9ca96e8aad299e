package apiserver

import (
	"bufio"
	"fmt"
	"os"
	"sync"
	"time"
)

// AuditLog is the file behind --audit-log-path: lines are appended to a
// buffer and written out every second, when the buffer fills, and on
// Close, so a request never waits on the disk for its audit line. The
// file is opened with O_APPEND, so rotation by truncation (logrotate's
// copytruncate) works: after a truncate the next write lands at the new
// end instead of leaving a hole. A rotation that renames the file is not
// followed; use copytruncate.
type AuditLog struct {
	mu   sync.Mutex
	f    *os.File
	buf  *bufio.Writer
	stop chan struct{}
	done chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// auditFlushEvery bounds how stale the file is: at most a second of
// requests is lost in a crash.
const auditFlushEvery = time.Second

// auditBufferSize holds a few hundred lines; a full buffer is written out
// by the request that filled it.
const auditBufferSize = 256 << 10

// OpenAuditLog opens (creating, mode 0600: it names every user) the audit
// log at path and starts flushing it. Close it on shutdown.
func OpenAuditLog(path string) (*AuditLog, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the audit log: %w", err)
	}
	l := &AuditLog{f: f, buf: bufio.NewWriterSize(f, auditBufferSize), stop: make(chan struct{}), done: make(chan struct{})}
	go l.flushLoop()
	return l, nil
}

// Write buffers p; it is safe for concurrent use.
func (l *AuditLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// Flush writes the buffered lines to the file.
func (l *AuditLog) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Flush()
}

// Close flushes and closes the file; later calls do nothing. Lines
// written after Close are lost.
func (l *AuditLog) Close() error {
	l.closeOnce.Do(func() {
		close(l.stop)
		<-l.done
		l.mu.Lock()
		defer l.mu.Unlock()
		l.closeErr = l.buf.Flush()
		if err := l.f.Close(); l.closeErr == nil {
			l.closeErr = err
		}
	})
	return l.closeErr
}

func (l *AuditLog) flushLoop() {
	defer close(l.done)
	t := time.NewTicker(auditFlushEvery)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			_ = l.Flush()
		}
	}
}
