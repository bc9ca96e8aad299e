package allocator

import (
	"fmt"
	"strconv"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// ServiceNodePortsPrefix holds one key per allocated NodePort.
const ServiceNodePortsPrefix = "/registry/ranges/servicenodeports/"

// NewPortAllocator allocates NodePorts from min..max inclusive
// (30000-32767 by default).
func NewPortAllocator(client *clientv3.Client, min, max int) (Allocator, error) {
	return newPortAllocator(client.KV, ServiceNodePortsPrefix, min, max)
}

func newPortAllocator(kv clientv3.KV, prefix string, min, max int) (*etcdAllocator, error) {
	if min < 1 || max > 65535 || min > max {
		return nil, fmt.Errorf("invalid port range %d-%d: want 1 <= min <= max <= 65535", min, max)
	}
	sp := &portSpace{min: min, max: max}
	return &etcdAllocator{
		kv:     kv,
		prefix: prefix,
		sp:     sp,
		// Upstream's band for NodePorts: between 16 and 128 ports.
		static: staticBand(sp.size(), 16, 128, 32),
	}, nil
}

// portSpace: offset i is port min+i.
type portSpace struct{ min, max int }

func (s *portSpace) size() uint64 { return uint64(s.max - s.min + 1) }

func (s *portSpace) value(off uint64) string { return strconv.Itoa(s.min + int(off)) }

func (s *portSpace) parse(value string) (string, uint64, bool, error) {
	p, err := strconv.Atoi(value)
	if err != nil || p < 1 || p > 65535 {
		return "", 0, false, &valueError{ErrNotInRange, fmt.Sprintf("invalid port %q", value)}
	}
	canonical := strconv.Itoa(p)
	if p < s.min || p > s.max {
		return canonical, 0, false, nil
	}
	return canonical, uint64(p - s.min), true, nil
}

func (s *portSpace) notInRange(string) error {
	return &valueError{ErrNotInRange, fmt.Sprintf(
		"provided port is not in the valid range. The range of valid ports is %d-%d", s.min, s.max)}
}

func (s *portSpace) allocated() error {
	return &valueError{ErrAllocated, "provided port is already allocated"}
}
