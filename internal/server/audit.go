package server

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hanok-dev/hanok/internal/apiserver"
)

// openAuditLog opens --audit-log-path, creating its directory. The writer
// is nil when no path is set; closeLog flushes and closes it and is always
// safe to call. It must run after the API server stopped serving, so the
// last requests' lines are kept.
func openAuditLog(path string) (w io.Writer, closeLog func(), err error) {
	if path == "" {
		return nil, func() {}, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("--audit-log-path %s: %w", path, err)
	}
	l, err := apiserver.OpenAuditLog(path)
	if err != nil {
		return nil, nil, fmt.Errorf("--audit-log-path %s: %w", path, err)
	}
	return l, func() {
		if err := l.Close(); err != nil {
			log.WithError(err).Warn("closing the audit log")
		}
	}, nil
}
