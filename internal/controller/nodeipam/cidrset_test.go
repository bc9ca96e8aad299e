package nodeipam

import (
	"net"
	"net/netip"
	"testing"
)

func mustSet(t *testing.T, cidr string, mask int) *cidrSet {
	t.Helper()
	_, n, err := net.ParseCIDR(cidr)
	if err != nil {
		t.Fatal(err)
	}
	s, err := newCIDRSet(n, mask)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNewCIDRSet(t *testing.T) {
	tests := []struct {
		cidr string
		mask int
		ok   bool
		n    int
	}{
		{"10.42.0.0/16", 24, true, 256},
		{"10.42.0.0/24", 24, true, 1},
		{"10.42.0.0/16", 15, false, 0},
		{"10.42.0.0/16", 33, false, 0},
		{"10.0.0.0/8", 25, false, 0}, // 2^17 subnets
		{"fd00:42::/48", 64, true, 65536},
	}
	for _, tt := range tests {
		_, n, _ := net.ParseCIDR(tt.cidr)
		s, err := newCIDRSet(n, tt.mask)
		if (err == nil) != tt.ok {
			t.Errorf("%s /%d: error %v, want ok %v", tt.cidr, tt.mask, err, tt.ok)
			continue
		}
		if err == nil && len(s.used) != tt.n {
			t.Errorf("%s /%d: %d subnets, want %d", tt.cidr, tt.mask, len(s.used), tt.n)
		}
	}
}

func TestAllocateOccupyRelease(t *testing.T) {
	s := mustSet(t, "10.42.0.0/22", 24) // four /24s
	p := netip.MustParsePrefix
	if err := s.occupy(p("10.42.1.0/24")); err != nil {
		t.Fatal(err)
	}
	var got []string
	for range 3 {
		c, err := s.allocate()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c.String())
	}
	want := []string{"10.42.0.0/24", "10.42.2.0/24", "10.42.3.0/24"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("allocated %v, want %v", got, want)
		}
	}
	if _, err := s.allocate(); err != errFull {
		t.Fatalf("full set: %v, want errFull", err)
	}
	if err := s.release(p("10.42.2.0/24")); err != nil {
		t.Fatal(err)
	}
	if c, err := s.allocate(); err != nil || c.String() != "10.42.2.0/24" {
		t.Fatalf("after release: %v %v", c, err)
	}
	// A larger prefix marks every subnet it covers; one outside is refused.
	if err := s.release(p("10.42.0.0/23")); err != nil || s.inUse != 2 {
		t.Fatalf("release /23: %v, in use %d", err, s.inUse)
	}
	for _, bad := range []string{"10.43.0.0/24", "10.0.0.0/8", "fd00::/64"} {
		if err := s.occupy(p(bad)); err == nil {
			t.Errorf("occupy %s outside the cluster CIDR: no error", bad)
		}
	}
	// A smaller prefix marks the subnet holding it.
	if err := s.occupy(p("10.42.0.128/25")); err != nil || !s.used[0] {
		t.Errorf("occupy /25: %v", err)
	}
}

func TestIPv6(t *testing.T) {
	s := mustSet(t, "fd00:10:244::/56", 64)
	c, err := s.allocate()
	if err != nil || c.String() != "fd00:10:244::/64" {
		t.Fatalf("first: %v %v", c, err)
	}
	c, _ = s.allocate()
	if c.String() != "fd00:10:244:1::/64" {
		t.Fatalf("second: %v", c)
	}
	if first, _, err := s.indexes(netip.MustParsePrefix("fd00:10:244:ff::/64")); err != nil || first != 255 {
		t.Errorf("index of the last: %d %v", first, err)
	}
}
