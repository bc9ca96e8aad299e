package volume

import (
	"fmt"
	"os"

	v1 "k8s.io/api/core/v1"
)

// checkHostPath applies a hostPath volume's type: the *OrCreate types make
// what is missing (a folder, or an empty file in an existing folder), the
// others only check what is there. An empty type checks nothing.
func checkHostPath(path string, t v1.HostPathType) error {
	switch t {
	case v1.HostPathUnset:
		return nil
	case v1.HostPathDirectoryOrCreate:
		if _, err := os.Lstat(path); os.IsNotExist(err) {
			if err := os.MkdirAll(path, 0o755); err != nil {
				return fmt.Errorf("hostPath type check failed: creating %s: %w", path, err)
			}
		}
	case v1.HostPathFileOrCreate:
		if _, err := os.Lstat(path); os.IsNotExist(err) {
			// Like upstream, the parent folder must already exist.
			f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				return fmt.Errorf("hostPath type check failed: creating %s: %w", path, err)
			}
			f.Close()
		}
	}

	info, statErr := os.Stat(path)
	var mode os.FileMode
	if statErr == nil {
		mode = info.Mode()
	}
	switch t {
	case v1.HostPathDirectory, v1.HostPathDirectoryOrCreate:
		if statErr != nil || !mode.IsDir() {
			return fmt.Errorf("hostPath type check failed: %s is not a directory", path)
		}
	case v1.HostPathFile, v1.HostPathFileOrCreate:
		if statErr != nil || !mode.IsRegular() {
			return fmt.Errorf("hostPath type check failed: %s is not a file", path)
		}
	case v1.HostPathSocket:
		if statErr != nil || mode&os.ModeSocket == 0 {
			return fmt.Errorf("hostPath type check failed: %s is not a socket file", path)
		}
	case v1.HostPathCharDev:
		if statErr != nil || mode&os.ModeCharDevice == 0 {
			return fmt.Errorf("hostPath type check failed: %s is not a character device", path)
		}
	case v1.HostPathBlockDev:
		if statErr != nil || mode&os.ModeDevice == 0 || mode&os.ModeCharDevice != 0 {
			return fmt.Errorf("hostPath type check failed: %s is not a block device", path)
		}
	default:
		return fmt.Errorf("unsupported hostPath type %q", t)
	}
	return nil
}
