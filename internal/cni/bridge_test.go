package cni

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/containernetworking/cni/libcni"

	"github.com/hanok-dev/hanok/internal/datadir"
)

// parsedBridge is what the test reads back from the bridge plugin's config.
type parsedBridge struct {
	Type        string `json:"type"`
	Bridge      string `json:"bridge"`
	IsGateway   bool   `json:"isGateway"`
	IPMasq      bool   `json:"ipMasq"`
	HairpinMode bool   `json:"hairpinMode"`
	MTU         int    `json:"mtu"`
	IPAM        struct {
		Type   string `json:"type"`
		Ranges [][]struct {
			Subnet string `json:"subnet"`
		} `json:"ranges"`
		Routes []struct {
			Dst string `json:"dst"`
		} `json:"routes"`
		DataDir string `json:"dataDir"`
	} `json:"ipam"`
}

type parsedPortmap struct {
	Type         string          `json:"type"`
	SNAT         bool            `json:"snat"`
	Capabilities map[string]bool `json:"capabilities"`
}

func TestBridgeConfList(t *testing.T) {
	layout := datadir.New("/var/lib/hanok-test")
	cases := []struct {
		name        string
		opts        BridgeOptions
		wantErr     string
		wantBridge  string
		wantSubnets []string
		wantRoutes  []string
		wantMTU     int
	}{
		{
			name:        "ipv4",
			opts:        BridgeOptions{PodCIDRs: []string{"10.42.0.0/24"}, HairpinMode: true, IPMasq: true},
			wantBridge:  "cni0",
			wantSubnets: []string{"10.42.0.0/24"},
			wantRoutes:  []string{"0.0.0.0/0"},
		},
		{
			name:        "dual stack, bridge and MTU given",
			opts:        BridgeOptions{PodCIDRs: []string{"10.42.1.0/24", "fd00:42:1::/64"}, BridgeName: "hanok0", MTU: 1450, HairpinMode: true, IPMasq: true},
			wantBridge:  "hanok0",
			wantSubnets: []string{"10.42.1.0/24", "fd00:42:1::/64"},
			wantRoutes:  []string{"0.0.0.0/0", "::/0"},
			wantMTU:     1450,
		},
		{
			name:        "ipv6 first, host bits dropped",
			opts:        BridgeOptions{PodCIDRs: []string{"fd00:42:2::1/64", "10.42.2.7/24"}, HairpinMode: true, IPMasq: true},
			wantBridge:  "cni0",
			wantSubnets: []string{"10.42.2.0/24", "fd00:42:2::/64"},
			wantRoutes:  []string{"0.0.0.0/0", "::/0"},
		},
		{name: "no pod CIDR", opts: BridgeOptions{}, wantErr: "no pod CIDR"},
		{name: "bad CIDR", opts: BridgeOptions{PodCIDRs: []string{"10.42.0.0"}}, wantErr: "10.42.0.0"},
		{name: "two IPv4 ranges", opts: BridgeOptions{PodCIDRs: []string{"10.42.0.0/24", "10.43.0.0/24"}}, wantErr: "at most one"},
		{name: "negative MTU", opts: BridgeOptions{PodCIDRs: []string{"10.42.0.0/24"}, MTU: -1}, wantErr: "MTU"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data, err := BridgeConfList(layout, c.opts)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			list, err := libcni.ConfListFromBytes(data)
			if err != nil {
				t.Fatalf("libcni rejects the conflist: %v\n%s", err, data)
			}
			if list.Name != NetworkName || list.CNIVersion != "1.0.0" || len(list.Plugins) != 2 {
				t.Fatalf("list %s v%s with %d plugins", list.Name, list.CNIVersion, len(list.Plugins))
			}

			var bridge parsedBridge
			if err := json.Unmarshal(list.Plugins[0].Bytes, &bridge); err != nil {
				t.Fatal(err)
			}
			if bridge.Type != "bridge" || bridge.Bridge != c.wantBridge || !bridge.IsGateway ||
				bridge.IPMasq != c.opts.IPMasq || bridge.HairpinMode != c.opts.HairpinMode || bridge.MTU != c.wantMTU {
				t.Errorf("bridge plugin %+v", bridge)
			}
			if bridge.IPAM.Type != "host-local" || bridge.IPAM.DataDir != filepath.Join(layout.CNIStateDir(), "networks") {
				t.Errorf("ipam %s with data in %s", bridge.IPAM.Type, bridge.IPAM.DataDir)
			}
			var subnets, routes []string
			for _, set := range bridge.IPAM.Ranges {
				if len(set) != 1 {
					t.Errorf("range set %+v, want one range", set)
				}
				for _, r := range set {
					subnets = append(subnets, r.Subnet)
				}
			}
			for _, r := range bridge.IPAM.Routes {
				routes = append(routes, r.Dst)
			}
			if !reflect.DeepEqual(subnets, c.wantSubnets) || !reflect.DeepEqual(routes, c.wantRoutes) {
				t.Errorf("subnets %v routes %v, want %v and %v", subnets, routes, c.wantSubnets, c.wantRoutes)
			}

			var portmap parsedPortmap
			if err := json.Unmarshal(list.Plugins[1].Bytes, &portmap); err != nil {
				t.Fatal(err)
			}
			if portmap.Type != "portmap" || !portmap.SNAT || !portmap.Capabilities["portMappings"] {
				t.Errorf("portmap plugin %+v", portmap)
			}
		})
	}
}

func TestWriteBridgeConfigRewritesOnlyOnChange(t *testing.T) {
	layout := datadir.New(t.TempDir())
	opts := BridgeOptions{PodCIDRs: []string{"10.42.0.0/24"}, HairpinMode: true, IPMasq: true}
	if err := WriteBridgeConfig(layout, opts); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(layout.CNIConfDir(), ConfListName)
	first, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if first.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", first.Mode())
	}
	// Age the file so a rewrite would show in its time.
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	if err := WriteBridgeConfig(layout, opts); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.Stat(path); !again.ModTime().Equal(old) {
		t.Error("an unchanged config was rewritten")
	}

	opts.PodCIDRs = []string{"10.42.9.0/24"}
	if err := WriteBridgeConfig(layout, opts); err != nil {
		t.Fatal(err)
	}
	list, err := libcni.ConfListFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(list.Bytes), "10.42.9.0/24") {
		t.Errorf("the new range is not in the file:\n%s", list.Bytes)
	}
	entries, _ := os.ReadDir(layout.CNIConfDir())
	if len(entries) != 1 {
		t.Errorf("the config folder holds %v, want only %s", entries, ConfListName)
	}
}
