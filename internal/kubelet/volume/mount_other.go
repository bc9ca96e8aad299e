//go:build !linux

package volume

import (
	"errors"
	"os"
)

var errNotLinux = errors.New("volume mounts need Linux")

func mountTmpfs(string, int64, os.FileMode) error { return errNotLinux }
func unmount(string) error                        { return nil }
func isPermission(error) bool                     { return true }
func mountPointsUnder(string) ([]string, error)   { return nil, nil }
func isMountPoint(string) (bool, error)           { return false, nil }
