package nodestatus

import (
	"os"
	"path/filepath"
	"strings"
)

// host reads the machine's own files. root is "/" except in tests, which
// point it at a fake tree.
type host struct{ root string }

func (h host) path(p string) string { return filepath.Join(h.root, p) }

// read returns the trimmed content of p, "" when it cannot be read.
func (h host) read(p string) string {
	b, err := os.ReadFile(h.path(p))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
