package cli

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/hanok-dev/hanok/internal/agent"
	"github.com/hanok-dev/hanok/internal/podnet"
)

// nodeFlags are the flags of the node a server or agent runs, with k3s's
// names.
func nodeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "node-label",
			Usage: "(agent/node) Registering and starting kubelet with set of labels"},
		&cli.StringSliceFlag{Name: "node-taint",
			Usage: "(agent/node) Registering kubelet with set of taints (key=value:Effect)"},
		&cli.StringFlag{Name: "private-registry", Value: "/etc/hanok/registries.yaml",
			Usage: "(agent/runtime) Private registry configuration file"},
		&cli.StringFlag{Name: "pause-image",
			Usage: "(agent/runtime) Customized pause image for containerd sandbox (default: the one built into hanok)"},
		&cli.StringFlag{Name: "resolv-conf", EnvVars: []string{"HANOK_RESOLV_CONF"},
			Usage: "(agent/networking) Kubelet resolv.conf file"},
		&cli.StringFlag{Name: "network-backend", Value: podnet.BackendVXLAN,
			Usage: "(agent/networking) How nodes' pod networks are joined: vxlan, host-gw, or none (bring your own CNI config in <data-dir>/agent/etc/cni/net.d)"},
		&cli.IntFlag{Name: "kubelet-port", Value: 10250,
			Usage: "(agent/node) Port of the kubelet's HTTPS server"},
	}
}

// nodeConfig reads nodeFlags into the parts of an agent config that do not
// depend on where the agent runs.
func nodeConfig(c *cli.Context) (agent.Config, error) {
	cfg := agent.Config{
		PrivateRegistry: c.String("private-registry"),
		PauseImage:      c.String("pause-image"),
		ResolvConf:      c.String("resolv-conf"),
		KubeletPort:     int32(c.Int("kubelet-port")),
		NetworkBackend:  c.String("network-backend"),
	}
	switch cfg.NetworkBackend {
	case podnet.BackendVXLAN, podnet.BackendHostGW, podnet.BackendNone:
	default:
		return cfg, fmt.Errorf("--network-backend %q: want vxlan, host-gw or none", cfg.NetworkBackend)
	}
	if cfg.KubeletPort < 1 || cfg.KubeletPort > 65535 {
		return cfg, fmt.Errorf("--kubelet-port %d: must be between 1 and 65535", cfg.KubeletPort)
	}
	var err error
	if cfg.Labels, err = parseLabels(splitList(c.StringSlice("node-label"))); err != nil {
		return cfg, err
	}
	if cfg.Taints, err = parseTaints(splitList(c.StringSlice("node-taint"))); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// parseLabels reads key=value pairs, checked as the API would.
func parseLabels(specs []string) (map[string]string, error) {
	labels := map[string]string{}
	for _, s := range specs {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return nil, fmt.Errorf("--node-label %q: want key=value", s)
		}
		if errs := validation.IsQualifiedName(k); len(errs) > 0 {
			return nil, fmt.Errorf("--node-label %q: key: %s", s, strings.Join(errs, "; "))
		}
		if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
			return nil, fmt.Errorf("--node-label %q: value: %s", s, strings.Join(errs, "; "))
		}
		labels[k] = v
	}
	return labels, nil
}

// parseTaints reads key[=value]:Effect, as kubectl taint does.
func parseTaints(specs []string) ([]v1.Taint, error) {
	var taints []v1.Taint
	for _, s := range specs {
		kv, effect, ok := strings.Cut(s, ":")
		if !ok {
			return nil, fmt.Errorf("--node-taint %q: want key=value:Effect", s)
		}
		switch e := v1.TaintEffect(effect); e {
		case v1.TaintEffectNoSchedule, v1.TaintEffectPreferNoSchedule, v1.TaintEffectNoExecute:
		default:
			return nil, fmt.Errorf("--node-taint %q: effect must be NoSchedule, PreferNoSchedule or NoExecute", s)
		}
		k, v, _ := strings.Cut(kv, "=")
		if errs := validation.IsQualifiedName(k); len(errs) > 0 {
			return nil, fmt.Errorf("--node-taint %q: key: %s", s, strings.Join(errs, "; "))
		}
		if v != "" {
			if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
				return nil, fmt.Errorf("--node-taint %q: value: %s", s, strings.Join(errs, "; "))
			}
		}
		taints = append(taints, v1.Taint{Key: k, Value: v, Effect: v1.TaintEffect(effect)})
	}
	return taints, nil
}
