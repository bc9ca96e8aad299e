package nodeipam

import (
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/netip"
)

// errFull: every subnet of the cluster CIDR is in use.
var errFull = errors.New("no CIDR left in the cluster CIDR")

// maxSubnetBits bounds the number of subnets (2^16), as upstream.
const maxSubnetBits = 16

// cidrSet hands out the subnets of size subBits of base, round robin (a
// released subnet is not handed out again at once, so a node's old pods'
// addresses are not reused under a new node straight away).
type cidrSet struct {
	base    netip.Prefix
	subBits int
	used    []bool
	next    int
	inUse   int
}

func newCIDRSet(cluster *net.IPNet, maskSize int) (*cidrSet, error) {
	addr, ok := netip.AddrFromSlice(cluster.IP)
	if !ok {
		return nil, fmt.Errorf("cluster CIDR %s: bad address", cluster)
	}
	ones, _ := cluster.Mask.Size()
	base := netip.PrefixFrom(addr.Unmap(), ones).Masked()
	if maskSize < base.Bits() || maskSize > base.Addr().BitLen() {
		return nil, fmt.Errorf("node CIDR mask size /%d does not fit in cluster CIDR %s", maskSize, base)
	}
	if maskSize-base.Bits() > maxSubnetBits {
		return nil, fmt.Errorf("node CIDR mask size /%d makes more than 2^%d subnets of %s", maskSize, maxSubnetBits, base)
	}
	return &cidrSet{base: base, subBits: maskSize, used: make([]bool, 1<<(maskSize-base.Bits()))}, nil
}

// prefixAt is subnet i.
func (s *cidrSet) prefixAt(i int) netip.Prefix {
	n := new(big.Int).SetBytes(s.base.Addr().AsSlice())
	n.Add(n, new(big.Int).Lsh(big.NewInt(int64(i)), uint(s.base.Addr().BitLen()-s.subBits)))
	buf := make([]byte, s.base.Addr().BitLen()/8)
	n.FillBytes(buf)
	addr, _ := netip.AddrFromSlice(buf)
	return netip.PrefixFrom(addr, s.subBits)
}

// indexes are the subnets p covers (p may be larger or smaller than a
// subnet); an error if p is not inside base.
func (s *cidrSet) indexes(p netip.Prefix) (first, last int, err error) {
	p = p.Masked()
	if p.Addr().Is4() != s.base.Addr().Is4() || p.Bits() < s.base.Bits() || !s.base.Contains(p.Addr()) {
		return 0, 0, fmt.Errorf("%s is not inside the cluster CIDR %s", p, s.base)
	}
	offset := new(big.Int).Sub(new(big.Int).SetBytes(p.Addr().AsSlice()), new(big.Int).SetBytes(s.base.Addr().AsSlice()))
	first = int(offset.Rsh(offset, uint(s.base.Addr().BitLen()-s.subBits)).Int64())
	last = first
	if p.Bits() < s.subBits {
		last = first + 1<<(s.subBits-p.Bits()) - 1
	}
	return first, last, nil
}

// allocate hands out a free subnet.
func (s *cidrSet) allocate() (netip.Prefix, error) {
	for k := range s.used {
		i := (s.next + k) % len(s.used)
		if !s.used[i] {
			s.used[i] = true
			s.inUse++
			s.next = (i + 1) % len(s.used)
			return s.prefixAt(i), nil
		}
	}
	return netip.Prefix{}, errFull
}

// occupy marks what p covers as used.
func (s *cidrSet) occupy(p netip.Prefix) error {
	return s.mark(p, true)
}

// release marks what p covers as free.
func (s *cidrSet) release(p netip.Prefix) error {
	return s.mark(p, false)
}

func (s *cidrSet) mark(p netip.Prefix, used bool) error {
	first, last, err := s.indexes(p)
	if err != nil {
		return err
	}
	for i := first; i <= last; i++ {
		if s.used[i] != used {
			s.used[i] = used
			if used {
				s.inUse++
			} else {
				s.inUse--
			}
		}
	}
	return nil
}
