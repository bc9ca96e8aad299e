package cli

import (
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/hanok-dev/hanok/internal/server"
)

// serverFlags follow k3s's names with HANOK_ in place of K3S_.
func serverFlags() []cli.Flag {
	return append([]cli.Flag{
		configFlag,
		&cli.StringFlag{Name: "data-dir", Aliases: []string{"d"}, Value: "/var/lib/hanok", EnvVars: []string{"HANOK_DATA_DIR"},
			Usage: "(data) Folder to hold state"},
		&cli.StringFlag{Name: "token", Aliases: []string{"t"}, EnvVars: []string{"HANOK_TOKEN"},
			Usage: "(cluster) Shared secret used to join a server or agent to a cluster"},
		&cli.StringFlag{Name: "server", Aliases: []string{"s"}, EnvVars: []string{"HANOK_URL"},
			Usage: "(cluster) Server to connect to, used to join a cluster"},
		&cli.BoolFlag{Name: "cluster-init", EnvVars: []string{"HANOK_CLUSTER_INIT"},
			Usage: "(cluster) Initialize a new cluster using embedded etcd"},
		&cli.StringFlag{Name: "node-name", EnvVars: []string{"HANOK_NODE_NAME"},
			Usage: "(agent/node) Node name (default: the host name)"},
		&cli.StringFlag{Name: "node-ip", Aliases: []string{"i"},
			Usage: "(agent/networking) IP address to advertise for node"},
		&cli.StringFlag{Name: "bind-address", Value: "0.0.0.0",
			Usage: "(listener) hanok bind address"},
		&cli.StringFlag{Name: "advertise-address",
			Usage: "(listener) IP address that the API server uses to advertise to members of the cluster (default: node-ip)"},
		&cli.IntFlag{Name: "https-listen-port", Value: 6443,
			Usage: "(listener) HTTPS listen port"},
		&cli.IntFlag{Name: "etcd-client-port", Value: 2379,
			Usage: "(db) Embedded etcd client port (change only to run several servers on one host)"},
		&cli.IntFlag{Name: "etcd-peer-port", Value: 2380,
			Usage: "(db) Embedded etcd peer port"},
		&cli.StringSliceFlag{Name: "tls-san",
			Usage: "(listener) Add additional hostnames or IPv4/IPv6 addresses as Subject Alternative Names on the server TLS cert"},
		&cli.StringFlag{Name: "cluster-cidr", Value: "10.42.0.0/16",
			Usage: "(networking) IPv4 network CIDR to use for pod IPs"},
		&cli.StringFlag{Name: "service-cidr", Value: "10.43.0.0/16",
			Usage: "(networking) IPv4 network CIDR to use for service IPs"},
		&cli.StringFlag{Name: "cluster-dns", Value: "10.43.0.10",
			Usage: "(networking) IPv4 Cluster IP for coredns service. Should be in your service-cidr range"},
		&cli.StringFlag{Name: "cluster-domain", Value: "cluster.local",
			Usage: "(networking) Cluster Domain"},
		&cli.StringSliceFlag{Name: "disable",
			Usage: "(components) Do not deploy packaged components and delete any deployed components (valid items: coredns, servicelb, traefik, local-storage, metrics-server)"},
		&cli.StringFlag{Name: "write-kubeconfig", Aliases: []string{"o"}, Value: "/etc/hanok/hanok.yaml", EnvVars: []string{"HANOK_KUBECONFIG_OUTPUT"},
			Usage: "(client) Write kubeconfig for admin client to this file"},
		&cli.StringFlag{Name: "write-kubeconfig-mode", Value: "0600", EnvVars: []string{"HANOK_KUBECONFIG_MODE"},
			Usage: "(client) Write kubeconfig with this mode"},
		&cli.BoolFlag{Name: "disable-agent",
			Usage: "Do not run a local agent and register a local kubelet"},
		&cli.BoolFlag{Name: "disable-scheduler",
			Usage: "(components) Disable Kubernetes default scheduler"},
		&cli.BoolFlag{Name: "disable-controller-manager",
			Usage: "(components) Disable Kubernetes default controller manager"},
		&cli.BoolFlag{Name: "leader-elect", Value: true,
			Usage: "(components) Run the scheduler and controller manager only while holding their Lease in kube-system, so with several servers exactly one of each acts"},
		&cli.StringFlag{Name: "audit-log-path", EnvVars: []string{"HANOK_AUDIT_LOG_PATH"},
			Usage: "(logging) Write one JSON line (audit.k8s.io/v1 Event, Metadata level) per API request to this file; rotate it by truncation (copytruncate)"},
	}, nodeFlags()...)
}

func serverCommand() *cli.Command {
	return &cli.Command{
		Name:   "server",
		Usage:  "Run the control plane (embedded etcd, API server, scheduler, controllers)",
		Flags:  serverFlags(),
		Before: loadConfigFile,
		Action: func(c *cli.Context) error {
			cfg, err := serverConfig(c)
			if err != nil {
				return err
			}
			return server.Run(c.Context, cfg)
		},
	}
}

// serverConfig checks and converts the flags; every bad value is an error
// naming the flag.
func serverConfig(c *cli.Context) (*server.Config, error) {
	cfg := &server.Config{
		DataDir:             c.String("data-dir"),
		Token:               c.String("token"),
		ClusterInit:         c.Bool("cluster-init"),
		NodeName:            c.String("node-name"),
		HTTPSPort:           c.Int("https-listen-port"),
		EtcdClientPort:      c.Int("etcd-client-port"),
		EtcdPeerPort:        c.Int("etcd-peer-port"),
		TLSSANs:             splitList(c.StringSlice("tls-san")),
		ClusterDomain:       c.String("cluster-domain"),
		Disable:             splitList(c.StringSlice("disable")),
		WriteKubeconfig:     c.String("write-kubeconfig"),
		WriteKubeconfigMode: c.String("write-kubeconfig-mode"),
		DisableAgent:        c.Bool("disable-agent"),
		DisableScheduler:    c.Bool("disable-scheduler"),
		DisableControllers:  c.Bool("disable-controller-manager"),
		LeaderElect:         c.Bool("leader-elect"),
		AuditLogPath:        c.String("audit-log-path"),
	}
	var err error
	if cfg.Agent, err = nodeConfig(c); err != nil {
		return nil, err
	}
	if c.String("server") != "" {
		return nil, fmt.Errorf("--server: joining an existing cluster is not supported yet")
	}
	if cfg.NodeName == "" {
		if cfg.NodeName, err = os.Hostname(); err != nil {
			return nil, fmt.Errorf("--node-name not given and the host name is unknown: %w", err)
		}
	}
	cfg.NodeName = strings.ToLower(cfg.NodeName)
	if cfg.NodeIP, err = parseIPFlag(c, "node-ip"); err != nil {
		return nil, err
	}
	if cfg.NodeIP == nil {
		cfg.NodeIP = defaultNodeIP()
	}
	if cfg.BindAddress, err = parseIPFlag(c, "bind-address"); err != nil {
		return nil, err
	}
	if cfg.AdvertiseAddress, err = parseIPFlag(c, "advertise-address"); err != nil {
		return nil, err
	}
	if cfg.AdvertiseAddress == nil {
		cfg.AdvertiseAddress = cfg.NodeIP
	}
	if cfg.ClusterCIDR, err = parseCIDRFlag(c, "cluster-cidr"); err != nil {
		return nil, err
	}
	if cfg.ServiceCIDR, err = parseCIDRFlag(c, "service-cidr"); err != nil {
		return nil, err
	}
	if cfg.ClusterDNS, err = parseIPFlag(c, "cluster-dns"); err != nil {
		return nil, err
	}
	if !cfg.ServiceCIDR.Contains(cfg.ClusterDNS) {
		return nil, fmt.Errorf("--cluster-dns %s is not inside --service-cidr %s", cfg.ClusterDNS, cfg.ServiceCIDR)
	}
	for _, p := range []struct {
		name string
		v    int
	}{{"https-listen-port", cfg.HTTPSPort}, {"etcd-client-port", cfg.EtcdClientPort}, {"etcd-peer-port", cfg.EtcdPeerPort}} {
		if p.v < 1 || p.v > 65535 {
			return nil, fmt.Errorf("--%s %d: must be between 1 and 65535", p.name, p.v)
		}
	}
	return cfg, nil
}

// splitList accepts both repeated flags and comma-separated values.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func parseIPFlag(c *cli.Context, name string) (net.IP, error) {
	s := c.String(name)
	if s == "" {
		return nil, nil
	}
	ip := net.ParseIP(s)
	if ip == nil {
		return nil, fmt.Errorf("--%s %q: not an IP address", name, s)
	}
	return ip, nil
}

func parseCIDRFlag(c *cli.Context, name string) (*net.IPNet, error) {
	_, n, err := net.ParseCIDR(c.String(name))
	if err != nil {
		return nil, fmt.Errorf("--%s %q: not a CIDR (like 10.42.0.0/16)", name, c.String(name))
	}
	return n, nil
}

// defaultNodeIP is the address of the interface that reaches other hosts:
// the first global unicast IPv4 address, or 127.0.0.1 on a host with none.
func defaultNodeIP() net.IP {
	addrs, err := net.InterfaceAddrs()
	if err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && n.IP.IsGlobalUnicast() {
				return n.IP.To4()
			}
		}
	}
	return net.IPv4(127, 0, 0, 1).To4()
}
