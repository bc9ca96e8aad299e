package dns

import (
	"fmt"
	"net"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
)

// Config is one node's DNS server.
type Config struct {
	// Client reads Services and EndpointSlices (the agent's
	// system:kube-proxy identity may).
	Client kubernetes.Interface
	// ClusterDomain is the zone answered locally (default cluster.local).
	ClusterDomain string
	// ListenAddrs are the host:port pairs served on UDP and TCP (the
	// node's IP, port 53).
	ListenAddrs []string
	// ResolvConf names the file whose nameservers are the upstream
	// resolvers (default /etc/resolv.conf). A nameserver may carry a port
	// ("127.0.0.1:5353"), which glibc does not allow but tests need.
	// Nameservers equal to a listen address or to ClusterDNS are skipped.
	ResolvConf string
	// ClusterDNS is the kube-dns Service's address (--cluster-dns): a
	// node whose resolv.conf names it would otherwise forward to itself
	// through the service proxy, for ever.
	ClusterDNS []net.IP
	// TTL of every answer given locally (default 5s).
	TTL time.Duration
	// NoForward stops forwarding names outside the cluster to the
	// upstream resolvers (forwarding is on by default); they are then
	// REFUSED.
	NoForward bool
	// UpstreamTimeout bounds one exchange with one upstream (default 2s).
	UpstreamTimeout time.Duration
}

func (c Config) withDefaults() (Config, error) {
	if c.Client == nil {
		return c, fmt.Errorf("dns: Client is required")
	}
	if len(c.ListenAddrs) == 0 {
		return c, fmt.Errorf("dns: no listen address")
	}
	for _, a := range c.ListenAddrs {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return c, fmt.Errorf("dns: listen address %q: %w (want host:port)", a, err)
		}
	}
	if c.ClusterDomain == "" {
		c.ClusterDomain = "cluster.local"
	}
	c.ClusterDomain = strings.ToLower(strings.TrimSuffix(c.ClusterDomain, "."))
	if c.ResolvConf == "" {
		c.ResolvConf = "/etc/resolv.conf"
	}
	if c.TTL == 0 {
		c.TTL = 5 * time.Second
	}
	if c.UpstreamTimeout == 0 {
		c.UpstreamTimeout = 2 * time.Second
	}
	return c, nil
}
