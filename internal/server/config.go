package server

import (
	"net"
	"slices"

	"github.com/hanok-dev/hanok/internal/agent"
)

// Config is what `hanok server` was asked to run, after flags, environment
// and the config file are merged by the cli package.
type Config struct {
	DataDir string
	Token   string

	ClusterInit bool

	NodeName string
	NodeIP   net.IP

	// BindAddress is where the API server listens (0.0.0.0 = all);
	// AdvertiseAddress is the address other nodes and the kubernetes
	// Service use to reach it (defaults to NodeIP).
	BindAddress      net.IP
	AdvertiseAddress net.IP
	HTTPSPort        int

	// EtcdClientPort and EtcdPeerPort let several servers share a host
	// (tests); the defaults are etcd's 2379 and 2380.
	EtcdClientPort int
	EtcdPeerPort   int

	TLSSANs []string

	ClusterCIDR   *net.IPNet
	ServiceCIDR   *net.IPNet
	ClusterDNS    net.IP
	ClusterDomain string

	// Disable names packaged components not to run (coredns, metrics-server, ...).
	Disable []string

	WriteKubeconfig     string
	WriteKubeconfigMode string

	DisableAgent bool
	// Agent holds the node flags of the embedded agent (labels, taints,
	// registries); the server fills in the rest.
	Agent agent.Config
	// DisableScheduler and DisableControllers leave the scheduler or the
	// controller manager out of this server (another server, or upstream's,
	// runs it).
	DisableScheduler   bool
	DisableControllers bool
	// LeaderElect makes the scheduler and controller manager act only
	// while holding their Lease (--leader-elect, on by default).
	LeaderElect bool

	// AuditLogPath is --audit-log-path: the API server's audit log, one
	// JSON line per request. Empty: no audit log.
	AuditLogPath string
}

// Disabled reports whether --disable names the packaged component.
func (c *Config) Disabled(component string) bool {
	return slices.Contains(c.Disable, component)
}
