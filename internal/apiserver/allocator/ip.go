package allocator

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// ServiceIPsPrefix holds one key per allocated ClusterIP.
const ServiceIPsPrefix = "/registry/ranges/serviceips/"

// maxIPRange caps how many addresses of a huge (IPv6) CIDR are used: the
// first 2^32 are more Services than any cluster has.
const maxIPRange = 1 << 32

// NewIPAllocator allocates ClusterIPs from cidr (e.g. 10.43.0.0/16).
func NewIPAllocator(client *clientv3.Client, cidr *net.IPNet) (Allocator, error) {
	return newIPAllocator(client.KV, ServiceIPsPrefix, cidr)
}

func newIPAllocator(kv clientv3.KV, prefix string, cidr *net.IPNet) (*etcdAllocator, error) {
	sp, err := newIPSpace(cidr)
	if err != nil {
		return nil, err
	}
	return &etcdAllocator{
		kv:     kv,
		prefix: prefix,
		sp:     sp,
		// Upstream's band for ClusterIPs: between 16 and 256 addresses.
		static: staticBand(sp.cidrSize(), 16, 256, 16),
		// Offset 0 is the first usable IP: the kubernetes Service's.
		reserved: map[uint64]bool{0: true},
	}, nil
}

// FirstIP is the first usable address of cidr: the ClusterIP of the
// "kubernetes" Service, which AllocateNext never hands out.
func FirstIP(cidr *net.IPNet) (net.IP, error) {
	sp, err := newIPSpace(cidr)
	if err != nil {
		return nil, err
	}
	return net.ParseIP(sp.value(0)), nil
}

// ipSpace: offset i is the address network+1+i.
type ipSpace struct {
	prefix netip.Prefix
	base   netip.Addr // the network address
	n      uint64     // usable addresses
}

func newIPSpace(cidr *net.IPNet) (*ipSpace, error) {
	if cidr == nil {
		return nil, fmt.Errorf("service CIDR is required")
	}
	addr, ok := netip.AddrFromSlice(cidr.IP)
	ones, bits := cidr.Mask.Size()
	if !ok || bits == 0 {
		return nil, fmt.Errorf("invalid service CIDR %v", cidr)
	}
	addr = addr.Unmap()
	if addr.BitLen() != bits {
		return nil, fmt.Errorf("invalid service CIDR %v: mask does not fit the address family", cidr)
	}
	prefix := netip.PrefixFrom(addr, ones).Masked()
	host := bits - ones
	var n uint64
	switch {
	case host >= 33:
		n = maxIPRange
	default:
		n = uint64(1)<<host - 1 // the network address is never given
		if addr.Is4() && n > 0 {
			n-- // nor the IPv4 broadcast address
		}
	}
	if n < 1 {
		return nil, fmt.Errorf("service CIDR %v has no usable address", cidr)
	}
	return &ipSpace{prefix: prefix, base: prefix.Addr(), n: n}, nil
}

func (s *ipSpace) size() uint64 { return s.n }

// cidrSize counts the addresses the network and broadcast addresses
// included, as upstream's band formula does.
func (s *ipSpace) cidrSize() uint64 {
	if s.base.Is4() {
		return s.n + 2
	}
	return s.n + 1
}

func (s *ipSpace) value(off uint64) string {
	b := s.base.As16()
	binary.BigEndian.PutUint64(b[8:], binary.BigEndian.Uint64(b[8:])+1+off)
	a := netip.AddrFrom16(b)
	if s.base.Is4() {
		a = a.Unmap()
	}
	return a.String()
}

func (s *ipSpace) parse(value string) (string, uint64, bool, error) {
	a, err := netip.ParseAddr(value)
	if err != nil {
		return "", 0, false, &valueError{ErrNotInRange, fmt.Sprintf("invalid IP address %q", value)}
	}
	a = a.Unmap()
	canonical := a.String()
	if !s.prefix.Contains(a) {
		return canonical, 0, false, nil
	}
	ab, bb := a.As16(), s.base.As16()
	if [8]byte(ab[:8]) != [8]byte(bb[:8]) {
		return canonical, 0, false, nil // beyond maxIPRange of a huge range
	}
	d := binary.BigEndian.Uint64(ab[8:]) - binary.BigEndian.Uint64(bb[8:])
	if d == 0 || d-1 >= s.n {
		return canonical, 0, false, nil // network or broadcast address
	}
	return canonical, d - 1, true, nil
}

func (s *ipSpace) notInRange(value string) error {
	return &valueError{ErrNotInRange, fmt.Sprintf(
		"the provided IP (%s) is not in the valid range. The range of valid IPs is %s", value, s.prefix)}
}

func (s *ipSpace) allocated() error {
	return &valueError{ErrAllocated, "provided IP is already allocated"}
}
