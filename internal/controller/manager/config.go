package manager

import (
	"fmt"
	"net"
	"time"

	"k8s.io/client-go/rest"

	"github.com/hanok-dev/hanok/internal/leader"
)

// Config is the controller manager's configuration: upstream's flags of
// the same meaning.
type Config struct {
	// RESTConfig reaches the API server as system:kube-controller-manager.
	// Its QPS and Burst, when unset, become upstream's 20 and 30, for the
	// manager and for each controller's client.
	RESTConfig *rest.Config
	// LeaderElect runs the controllers only while holding the Lease
	// kube-system/kube-controller-manager (--leader-elect).
	LeaderElect bool
	// LeaderTiming is the Lease's timing (zero: leader.Default) and
	// LeaderIdentity this candidate's name (empty: hostname plus a random
	// suffix).
	LeaderTiming   leader.Timing
	LeaderIdentity string
	// Controllers selects controllers as upstream's --controllers: "*"
	// is every controller on by default, "name" enables one, "-name"
	// disables one. Empty means {"*"}.
	Controllers []string

	// ClusterCIDR is --cluster-cidr, the range node IPAM gives nodes their
	// spec.podCIDR from; nil turns node IPAM off (--allocate-node-cidrs
	// false). NodeCIDRMaskSize is each node's prefix length (default 24).
	ClusterCIDR      *net.IPNet
	NodeCIDRMaskSize int
	// ClusterDNS is --cluster-dns, the kube-dns Service's IP in front of
	// every node's DNS; nil turns the cluster-dns controller off
	// (--disable coredns).
	ClusterDNS net.IP
	// RootCA is the PEM bundle published as kube-root-ca.crt in every
	// namespace (what verifies the API server's serving certificate).
	RootCA []byte
	// NodeMonitorGracePeriod is how long a node may go without a heartbeat
	// before it is marked Ready=Unknown (default 40s).
	NodeMonitorGracePeriod time.Duration
	// TerminatedPodGCThreshold is how many terminated pods may exist
	// before the pod GC deletes the oldest (0: upstream's 12500; negative
	// turns that part of the pod GC off).
	TerminatedPodGCThreshold int

	// TokenExpiration is the lifetime asked for each controller's token
	// (default 1h, as upstream); it is refreshed after 80% of it.
	TokenExpiration time.Duration
	// Resync is the shared informers' resync period (default 12h).
	Resync time.Duration
}

// LeaseName is the Lease the controller managers compete for, in
// kube-system.
const LeaseName = "kube-controller-manager"

func (c Config) withDefaults() (Config, error) {
	if c.RESTConfig == nil {
		return c, fmt.Errorf("controller manager: RESTConfig is required")
	}
	c.RESTConfig = rest.CopyConfig(c.RESTConfig)
	if c.RESTConfig.QPS == 0 {
		c.RESTConfig.QPS = 20
	}
	if c.RESTConfig.Burst == 0 {
		c.RESTConfig.Burst = 30
	}
	if len(c.Controllers) == 0 {
		c.Controllers = []string{"*"}
	}
	if c.NodeCIDRMaskSize == 0 {
		c.NodeCIDRMaskSize = 24
	}
	if c.NodeMonitorGracePeriod == 0 {
		c.NodeMonitorGracePeriod = 40 * time.Second
	}
	if c.TerminatedPodGCThreshold == 0 {
		c.TerminatedPodGCThreshold = 12500
	}
	if c.TokenExpiration == 0 {
		c.TokenExpiration = time.Hour
	}
	if c.Resync == 0 {
		c.Resync = 12 * time.Hour
	}
	if c.ClusterCIDR != nil {
		ones, bits := c.ClusterCIDR.Mask.Size()
		if c.NodeCIDRMaskSize < ones || c.NodeCIDRMaskSize > bits {
			return c, fmt.Errorf("controller manager: node CIDR mask size /%d does not fit in cluster CIDR %s", c.NodeCIDRMaskSize, c.ClusterCIDR)
		}
	}
	return c, nil
}
