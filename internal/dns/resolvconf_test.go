package dns

import (
	"bufio"
	"slices"
	"strings"
	"testing"
)

func TestParseNameservers(t *testing.T) {
	tests := []struct {
		name string
		file string
		self []string
		want []string
	}{
		{name: "plain", file: "search corp.internal\nnameserver 10.0.0.2\nnameserver 10.0.0.3\noptions ndots:2\n",
			want: []string{"10.0.0.2:53", "10.0.0.3:53"}},
		{name: "comments and junk", file: "# nameserver 1.1.1.1\n; x\nnameserver\nnameserver not-an-ip\nnameserver 1.0.0.1 # c\n",
			want: []string{"1.0.0.1:53"}},
		{name: "IPv6 and zones", file: "nameserver 2001:db8::53\nnameserver fe80::1%eth0\n",
			want: []string{"[2001:db8::53]:53", "[fe80::1%eth0]:53"}},
		{name: "with ports (hanok's extension)", file: "nameserver 127.0.0.1:5353\nnameserver [::1]:5354\n",
			want: []string{"127.0.0.1:5353", "[::1]:5354"}},
		{name: "never ourselves", file: "nameserver 10.0.0.7\nnameserver 10.0.0.2\n", self: []string{"10.0.0.7:53"},
			want: []string{"10.0.0.2:53"}},
		{name: "our IP on another port is someone else", file: "nameserver 127.0.0.1\n", self: []string{"127.0.0.1:5300"},
			want: []string{"127.0.0.1:53"}},
		{name: "empty", file: "", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseNameservers(bufio.NewScanner(strings.NewReader(tt.file)), tt.self)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDashed(t *testing.T) {
	for _, tt := range []struct{ label, ip string }{
		{"10-42-0-5", "10.42.0.5"},
		{"fd00-42--5", "fd00:42::5"},
		{"10-42-0", ""},
		{"web-0", ""},
		{"1-2-3-4-5", ""},
		{"300-1-1-1", ""},
	} {
		got := undashed(tt.label)
		if (got == nil) != (tt.ip == "") || (got != nil && got.String() != tt.ip) {
			t.Errorf("undashed(%q) = %v, want %q", tt.label, got, tt.ip)
		}
		if got != nil && dashed(got) != tt.label {
			t.Errorf("dashed(%v) = %q, want %q", got, dashed(got), tt.label)
		}
	}
}
