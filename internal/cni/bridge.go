package cni

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"

	"github.com/sirupsen/logrus"

	"github.com/hanok-dev/hanok/internal/atomicfile"
	"github.com/hanok-dev/hanok/internal/datadir"
)

// ConfListName is the file WriteBridgeConfig writes in the CNI config folder;
// its "10-" prefix puts it first in the runtime's alphabetical pick.
const ConfListName = "10-hanok.conflist"

// NetworkName is the CNI network's name.
const NetworkName = "hanok"

// DefaultBridgeName is the bridge when BridgeOptions.BridgeName is empty.
const DefaultBridgeName = "cni0"

// cniVersion is the CNI spec version of the conflist.
const cniVersion = "1.0.0"

// BridgeOptions shape the node's pod network.
type BridgeOptions struct {
	// PodCIDRs are the node's spec.podCIDRs: at most one IPv4 and one IPv6
	// range, at least one of them.
	PodCIDRs []string
	// BridgeName is the Linux bridge (DefaultBridgeName when empty).
	BridgeName string
	// MTU of the bridge and the pods' interfaces; 0 leaves the plugin's
	// default (the host's).
	MTU int
	// HairpinMode lets a pod reach itself through a Service (traffic that
	// leaves its veth and is sent back through it): set it for kube-proxy.
	HairpinMode bool
	// IPMasq masquerades pod traffic leaving the pod range.
	IPMasq bool
}

// confList is the CNI network configuration list.
type confList struct {
	CNIVersion string `json:"cniVersion"`
	Name       string `json:"name"`
	Plugins    []any  `json:"plugins"`
}

type bridgePlugin struct {
	Type        string `json:"type"`
	Bridge      string `json:"bridge"`
	IsGateway   bool   `json:"isGateway"`
	IPMasq      bool   `json:"ipMasq"`
	HairpinMode bool   `json:"hairpinMode"`
	MTU         int    `json:"mtu,omitempty"`
	IPAM        ipam   `json:"ipam"`
}

type ipam struct {
	Type    string  `json:"type"`
	Ranges  [][]rng `json:"ranges"`
	Routes  []route `json:"routes"`
	DataDir string  `json:"dataDir"`
}

type rng struct {
	Subnet string `json:"subnet"`
}

type route struct {
	Dst string `json:"dst"`
}

type portmapPlugin struct {
	Type         string          `json:"type"`
	SNAT         bool            `json:"snat"`
	Capabilities map[string]bool `json:"capabilities"`
}

// BridgeConfList renders the conflist for a node.
func BridgeConfList(layout datadir.Layout, opts BridgeOptions) ([]byte, error) {
	v4, v6, err := splitFamilies(opts.PodCIDRs)
	if err != nil {
		return nil, err
	}
	ip := ipam{Type: "host-local", DataDir: filepath.Join(layout.CNIStateDir(), "networks")}
	if v4.IsValid() {
		ip.Ranges = append(ip.Ranges, []rng{{Subnet: v4.String()}})
		ip.Routes = append(ip.Routes, route{Dst: "0.0.0.0/0"})
	}
	if v6.IsValid() {
		ip.Ranges = append(ip.Ranges, []rng{{Subnet: v6.String()}})
		ip.Routes = append(ip.Routes, route{Dst: "::/0"})
	}
	if opts.MTU < 0 {
		return nil, fmt.Errorf("MTU %d is negative", opts.MTU)
	}
	name := opts.BridgeName
	if name == "" {
		name = DefaultBridgeName
	}
	list := confList{
		CNIVersion: cniVersion,
		Name:       NetworkName,
		Plugins: []any{
			bridgePlugin{
				Type:        "bridge",
				Bridge:      name,
				IsGateway:   true,
				IPMasq:      opts.IPMasq,
				HairpinMode: opts.HairpinMode,
				MTU:         opts.MTU,
				IPAM:        ip,
			},
			portmapPlugin{Type: "portmap", SNAT: true, Capabilities: map[string]bool{"portMappings": true}},
		},
	}
	data, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// splitFamilies parses the pod CIDRs into at most one range per family.
func splitFamilies(cidrs []string) (v4, v6 netip.Prefix, err error) {
	if len(cidrs) == 0 {
		return v4, v6, errors.New("the node has no pod CIDR")
	}
	for _, c := range cidrs {
		p, err := netip.ParsePrefix(c)
		if err != nil {
			return v4, v6, fmt.Errorf("pod CIDR %q: %w", c, err)
		}
		p = p.Masked()
		switch {
		case p.Addr().Is4() && !v4.IsValid():
			v4 = p
		case p.Addr().Is6() && !p.Addr().Is4In6() && !v6.IsValid():
			v6 = p
		default:
			return v4, v6, fmt.Errorf("pod CIDRs %q: at most one IPv4 and one IPv6 range", cidrs)
		}
	}
	return v4, v6, nil
}

// WriteBridgeConfig writes the conflist to layout.CNIConfDir() with a
// rename, so the runtime never reads half a file, and leaves an identical
// file untouched.
func WriteBridgeConfig(layout datadir.Layout, opts BridgeOptions) error {
	data, err := BridgeConfList(layout, opts)
	if err != nil {
		return err
	}
	dir := layout.CNIConfDir()
	path := filepath.Join(dir, ConfListName)
	if current, err := os.ReadFile(path); err == nil && bytes.Equal(current, data) {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := atomicfile.Write(path, data, 0o644); err != nil {
		return err
	}
	logrus.WithField("component", "cni").WithField("file", path).Info("wrote the pod network config")
	return nil
}
