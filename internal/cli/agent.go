package cli

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/hanok-dev/hanok/internal/agent"
	"github.com/hanok-dev/hanok/internal/podnet"
	"github.com/hanok-dev/hanok/internal/proxy"
)

// agentFlags follow k3s's agent flags with HANOK_ in place of K3S_.
func agentFlags() []cli.Flag {
	return append([]cli.Flag{
		configFlag,
		&cli.StringFlag{Name: "data-dir", Aliases: []string{"d"}, Value: "/var/lib/hanok", EnvVars: []string{"HANOK_DATA_DIR"},
			Usage: "(data) Folder to hold state"},
		&cli.StringFlag{Name: "token", Aliases: []string{"t"}, EnvVars: []string{"HANOK_TOKEN"},
			Usage: "(cluster) Token to use for authentication (<data-dir>/server/node-token on a server)"},
		&cli.StringFlag{Name: "server", Aliases: []string{"s"}, EnvVars: []string{"HANOK_URL"},
			Usage: "(cluster) Server to connect to (https://IP:6443)"},
		&cli.StringFlag{Name: "node-name", EnvVars: []string{"HANOK_NODE_NAME"},
			Usage: "(agent/node) Node name (default: the host name)"},
		&cli.StringFlag{Name: "node-ip", Aliases: []string{"i"},
			Usage: "(agent/networking) IP address to advertise for node"},
		&cli.BoolFlag{Name: "cleanup",
			Usage: "Remove every iptables rule, route and link hanok's proxy and pod network made on this host, then exit"},
	}, nodeFlags()...)
}

func agentCommand() *cli.Command {
	return &cli.Command{
		Name:   "agent",
		Usage:  "Run a node (kubelet, containerd) that joins a server",
		Flags:  agentFlags(),
		Before: loadConfigFile,
		Action: func(c *cli.Context) error {
			if c.Bool("cleanup") {
				return errors.Join(proxy.Cleanup(), podnet.Cleanup())
			}
			cfg, err := agentConfig(c)
			if err != nil {
				return err
			}
			joined, err := agent.Join(c.Context, c.String("server"), c.String("token"), cfg.NodeName, cfg.NodeIPs)
			if err != nil {
				return err
			}
			if err := applyCluster(&cfg, joined); err != nil {
				return err
			}
			return agent.Run(c.Context, cfg)
		},
	}
}

// agentConfig checks the agent's flags; cluster settings come from the
// server at join.
func agentConfig(c *cli.Context) (agent.Config, error) {
	cfg, err := nodeConfig(c)
	if err != nil {
		return cfg, err
	}
	if c.String("server") == "" {
		return cfg, fmt.Errorf("--server is required: the URL of a server to join (https://IP:6443)")
	}
	if c.String("token") == "" {
		return cfg, fmt.Errorf("--token is required: the node token from the server's <data-dir>/server/node-token")
	}
	cfg.DataDir = c.String("data-dir")
	cfg.NodeName = c.String("node-name")
	if cfg.NodeName == "" {
		if cfg.NodeName, err = os.Hostname(); err != nil {
			return cfg, fmt.Errorf("--node-name not given and the host name is unknown: %w", err)
		}
	}
	cfg.NodeName = strings.ToLower(cfg.NodeName)
	ip, err := parseIPFlag(c, "node-ip")
	if err != nil {
		return cfg, err
	}
	if ip == nil {
		ip = defaultNodeIP()
	}
	cfg.NodeIPs = []net.IP{ip}
	return cfg, nil
}

// applyCluster takes the cluster-wide settings the server gave at join.
func applyCluster(cfg *agent.Config, j *agent.Joined) error {
	cfg.Credentials = j.Credentials
	if _, n, err := net.ParseCIDR(j.Cluster.ClusterCIDR); err == nil {
		cfg.ClusterCIDR = n
	} else {
		return fmt.Errorf("the server sent a bad cluster CIDR %q", j.Cluster.ClusterCIDR)
	}
	if cfg.ClusterDNS = net.ParseIP(j.Cluster.ClusterDNS); cfg.ClusterDNS == nil {
		return fmt.Errorf("the server sent a bad cluster DNS address %q", j.Cluster.ClusterDNS)
	}
	cfg.ClusterDomain = j.Cluster.ClusterDomain
	return nil
}
