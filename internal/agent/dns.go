package agent

import (
	"context"
	"net"

	"k8s.io/client-go/kubernetes"

	"github.com/hanok-dev/hanok/internal/dns"
)

// runDNS serves cluster DNS on port 53 of the node's IPs; the kube-dns
// Service (internalTrafficPolicy Local) sends each pod's queries to its own
// node. A port already taken only loses DNS on this node, so it is logged
// rather than stopping the agent.
func runDNS(ctx context.Context, cfg Config, client kubernetes.Interface) {
	var addrs []string
	for _, ip := range cfg.NodeIPs {
		addrs = append(addrs, net.JoinHostPort(ip.String(), "53"))
	}
	err := dns.Run(ctx, dns.Config{
		Client: client, ClusterDomain: cfg.ClusterDomain, ListenAddrs: addrs,
		ResolvConf: cfg.ResolvConf, ClusterDNS: []net.IP{cfg.ClusterDNS},
	})
	if err != nil && ctx.Err() == nil {
		log.WithError(err).Error("cluster DNS stopped on this node")
	}
}
