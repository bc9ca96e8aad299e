package dns

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strings"
)

// upstreams reads the nameservers of a resolv.conf file as host:port
// addresses (port 53 unless the line gives one), leaving out the
// addresses this server listens on so that it never forwards to itself.
func upstreams(path string, self []string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dns: upstream resolvers: %w", err)
	}
	defer f.Close()
	return parseNameservers(bufio.NewScanner(f), self)
}

func parseNameservers(sc *bufio.Scanner, self []string) ([]string, error) {
	skip := map[string]bool{}
	for _, a := range self {
		if h, p, err := net.SplitHostPort(a); err == nil {
			if ip := net.ParseIP(h); ip != nil {
				skip[net.JoinHostPort(ip.String(), p)] = true
			}
		}
	}
	var out []string
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || fields[0] != "nameserver" {
			continue
		}
		addr, ok := nameserver(fields[1])
		if !ok || skip[addr] {
			continue
		}
		out = append(out, addr)
	}
	return out, sc.Err()
}

// nameserver is one nameserver value as host:port: "10.0.0.2",
// "fe80::1%eth0", or with a port "127.0.0.1:5353", "[::1]:5353".
func nameserver(v string) (string, bool) {
	if ip := net.ParseIP(strings.SplitN(v, "%", 2)[0]); ip != nil {
		host := ip.String()
		if i := strings.Index(v, "%"); i > 0 {
			host += v[i:]
		}
		return net.JoinHostPort(host, "53"), true
	}
	h, p, err := net.SplitHostPort(v)
	if err != nil {
		return "", false
	}
	ip := net.ParseIP(h)
	if ip == nil {
		return "", false
	}
	return net.JoinHostPort(ip.String(), p), true
}
