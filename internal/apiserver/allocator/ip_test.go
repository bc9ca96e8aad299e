package allocator

import (
	"net"
	"strings"
	"testing"
)

func TestIPSpace(t *testing.T) {
	tests := []struct {
		cidr        string
		size        uint64
		first, last string
		in, out     []string
		wantErr     bool
	}{
		{cidr: "10.43.0.0/16", size: 65534, first: "10.43.0.1", last: "10.43.255.254",
			in: []string{"10.43.0.1", "10.43.0.10", "10.43.255.254"}, out: []string{"10.43.0.0", "10.43.255.255", "10.44.0.0"}},
		{cidr: "10.43.5.7/16", size: 65534, first: "10.43.0.1", last: "10.43.255.254"}, // not masked
		{cidr: "10.0.0.0/30", size: 2, first: "10.0.0.1", last: "10.0.0.2", out: []string{"10.0.0.3"}},
		{cidr: "10.0.0.0/31", wantErr: true},
		{cidr: "10.0.0.0/32", wantErr: true},
		{cidr: "fd00:43::/112", size: 65535, first: "fd00:43::1", last: "fd00:43::ffff",
			in: []string{"fd00:43::ffff", "fd00:43:0:0:0:0:0:a"}, out: []string{"fd00:43::", "fd00:44::1", "10.43.0.1"}},
		{cidr: "fd00::/64", size: 1 << 32, first: "fd00::1", last: "fd00::1:0:0",
			out: []string{"fd00::1:0:1", "fd00::ffff:ffff:ffff:ffff"}},
		{cidr: "fd00::/128", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.cidr, func(t *testing.T) {
			_, n, err := net.ParseCIDR(tt.cidr)
			if err != nil {
				t.Fatal(err)
			}
			addr, _, _ := strings.Cut(tt.cidr, "/")
			n.IP = net.ParseIP(addr) // keep host bits where given
			if ip4 := n.IP.To4(); ip4 != nil && len(n.Mask) == 4 {
				n.IP = ip4
			}
			sp, err := newIPSpace(n)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if err != nil {
				return
			}
			if sp.size() != tt.size || sp.value(0) != tt.first || sp.value(tt.size-1) != tt.last {
				t.Fatalf("size %d first %s last %s", sp.size(), sp.value(0), sp.value(tt.size-1))
			}
			for i, v := range append([]string{tt.first, tt.last}, tt.in...) {
				_, off, ok, err := sp.parse(v)
				if err != nil || !ok || sp.value(off) != net.ParseIP(v).String() {
					t.Errorf("parse(%s) = %d, %v, %v", v, off, ok, err)
				}
				if i == 0 && off != 0 {
					t.Errorf("first IP at offset %d", off)
				}
			}
			for _, v := range tt.out {
				if _, _, ok, _ := sp.parse(v); ok {
					t.Errorf("%s parsed as in range", v)
				}
			}
		})
	}
	first, err := FirstIP(cidr(t, "10.43.0.0/16"))
	if err != nil || first.String() != "10.43.0.1" {
		t.Fatalf("FirstIP = %v, %v", first, err)
	}
}
