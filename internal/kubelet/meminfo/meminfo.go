// Package meminfo reads /proc/meminfo, the host's memory figures that node
// status (capacity), eviction (available memory) and the kubelet share.
package meminfo

import (
	"os"
	"strconv"
	"strings"
)

// Path is the kernel's memory report.
const Path = "/proc/meminfo"

// Field returns a "Name:   123 kB" field of meminfo text in bytes, 0 when
// it is missing or unreadable.
func Field(meminfo, name string) int64 {
	for _, line := range strings.Split(meminfo, "\n") {
		k, rest, ok := strings.Cut(line, ":")
		if !ok || k != name {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			return 0
		}
		v, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0
		}
		if len(f) > 1 && f[1] == "kB" {
			v *= 1024
		}
		return v
	}
	return 0
}

// Total is the host's MemTotal in bytes (0 when unknown).
func Total() int64 {
	data, err := os.ReadFile(Path)
	if err != nil {
		return 0
	}
	return Field(string(data), "MemTotal")
}
