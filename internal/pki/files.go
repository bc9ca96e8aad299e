package pki

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/hanok-dev/hanok/internal/atomicfile"
)

// Modes for what we write. Keys are secrets; certificates are public but the
// directory holding them is private anyway.
const (
	keyMode  os.FileMode = 0o600
	certMode os.FileMode = 0o644
	dirMode  os.FileMode = 0o700
)

// writeFileAtomic replaces path with data so that a reader (or a crash) never
// sees a half-written file. The mode is set explicitly because the umask
// would otherwise narrow it, and because an existing file's mode must change
// too (WriteKubeconfig's contract).
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return fmt.Errorf("create directory %s: %w", dir, err)
	}
	return atomicfile.Write(path, data, mode)
}

// readOptional returns the file's bytes, or nil (and no error) if it does not
// exist: a missing file just means "generate it".
func readOptional(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return b, nil
}
