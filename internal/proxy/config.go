package proxy

import (
	"errors"
	"net"
	"time"

	"k8s.io/client-go/kubernetes"
)

// Config is what the agent starts the proxy with.
type Config struct {
	// NodeName is this node: endpoints on it are "local" for the Local
	// traffic policies; its Node gives the pod CIDR when ClusterCIDR is
	// unset and the addresses when NodeIPs is.
	NodeName string
	// NodeIPs are the node's addresses; their families decide which of
	// iptables and ip6tables are written (IPv4 when empty).
	NodeIPs []net.IP
	// ClusterCIDR is the pods' range: ClusterIP traffic from outside it
	// is masqueraded. Nil: the node's spec.podCIDRs are used instead.
	ClusterCIDR *net.IPNet
	// Client reads Services, EndpointSlices and the Node, as
	// system:kube-proxy (role system:node-proxier) or the node itself.
	Client kubernetes.Interface
	// SyncPeriod is how often every rule is rewritten whatever changed
	// (repairing rules someone else removed). Default 30s.
	SyncPeriod time.Duration
	// MinSyncInterval is the least time between two syncs: a burst of
	// changes is written once. Default 100ms.
	MinSyncInterval time.Duration
}

func (c *Config) defaults() error {
	if c.Client == nil {
		return errors.New("proxy: no client")
	}
	if c.NodeName == "" {
		return errors.New("proxy: no node name")
	}
	if c.SyncPeriod <= 0 {
		c.SyncPeriod = 30 * time.Second
	}
	if c.MinSyncInterval <= 0 {
		c.MinSyncInterval = 100 * time.Millisecond
	}
	return nil
}
