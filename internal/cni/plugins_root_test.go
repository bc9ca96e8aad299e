package cni

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/containernetworking/cni/libcni"
	types100 "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/plugins/pkg/ns"

	"github.com/hanok-dev/hanok/internal/datadir"
)

// The conflist works with the real plugins: in a "host" network namespace
// and a "pod" one, both made by the test, ADD gives the pod an address from
// the range behind cni0 and a host port rule; DEL takes it all back.
func TestBridgeConfigWithRealPlugins(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for network namespaces")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs iproute2")
	}
	if testing.Short() {
		t.Skip("builds the CNI plugins")
	}
	binDir := buildPlugins(t)
	host, pod := netns(t, "host"), netns(t, "pod")
	ipIn(t, host, "link", "set", "lo", "up")

	layout := datadir.New(t.TempDir())
	const podCIDR = "10.244.7.0/24"
	data, err := BridgeConfList(layout, BridgeOptions{PodCIDRs: []string{podCIDR}, HairpinMode: true, IPMasq: true})
	if err != nil {
		t.Fatal(err)
	}
	list, err := libcni.ConfListFromBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	cniConfig := libcni.NewCNIConfigWithCacheDir([]string{binDir}, t.TempDir(), nil)
	rt := &libcni.RuntimeConf{
		ContainerID: "hanok-cni-test",
		NetNS:       nsPath(pod),
		IfName:      "eth0",
		CapabilityArgs: map[string]any{
			"portMappings": []map[string]any{{"hostPort": 18080, "containerPort": 80, "protocol": "tcp"}},
		},
	}
	hostNS, err := ns.GetNS(nsPath(host))
	if err != nil {
		t.Fatal(err)
	}
	defer hostNS.Close()
	ctx := context.Background()

	var added *types100.Result
	err = hostNS.Do(func(ns.NetNS) error {
		res, err := cniConfig.AddNetworkList(ctx, list, rt)
		if err != nil {
			return err
		}
		added, err = types100.NewResultFromResult(res)
		return err
	})
	if err != nil {
		t.Fatalf("ADD: %v", err)
	}
	if len(added.IPs) != 1 {
		t.Fatalf("ADD gave %d addresses, want 1: %+v", len(added.IPs), added)
	}
	podIP, _ := netip.AddrFromSlice(added.IPs[0].Address.IP.To4())
	prefix := netip.MustParsePrefix(podCIDR)
	gateway := netip.MustParseAddr("10.244.7.1")
	if !prefix.Contains(podIP) || podIP == gateway {
		t.Fatalf("pod address %s, want one of %s other than the gateway", podIP, podCIDR)
	}
	if out := ipIn(t, host, "-o", "addr", "show", "dev", "cni0"); !strings.Contains(out, "10.244.7.1/24") {
		t.Errorf("cni0 in the host namespace: %s", out)
	}
	if out := ipIn(t, pod, "-o", "addr", "show", "dev", "eth0"); !strings.Contains(out, podIP.String()+"/24") {
		t.Errorf("eth0 in the pod namespace: %s", out)
	}
	if out := ipIn(t, pod, "route", "show", "default"); !strings.Contains(out, "via 10.244.7.1") {
		t.Errorf("pod default route: %s", out)
	}
	if rules := natRules(t, host); !strings.Contains(rules, "18080") {
		t.Errorf("no host port rule for 18080 in the host namespace:\n%s", rules)
	}
	allocation := filepath.Join(layout.CNIStateDir(), "networks", NetworkName, podIP.String())
	if _, err := os.Stat(allocation); err != nil {
		t.Errorf("host-local keeps no record of %s under the CNI state dir: %v", podIP, err)
	}

	if err := hostNS.Do(func(ns.NetNS) error { return cniConfig.DelNetworkList(ctx, list, rt) }); err != nil {
		t.Fatalf("DEL: %v", err)
	}
	if _, err := os.Stat(allocation); !os.IsNotExist(err) {
		t.Errorf("the address %s is still allocated after DEL: %v", podIP, err)
	}
	if out, err := exec.Command("ip", "-n", pod, "link", "show", "eth0").CombinedOutput(); err == nil {
		t.Errorf("eth0 is still in the pod namespace after DEL: %s", out)
	}
	if rules := natRules(t, host); strings.Contains(rules, "18080") {
		t.Errorf("the host port rule survived DEL:\n%s", rules)
	}
}

// buildPlugins compiles the pinned plugins into a temporary folder.
func buildPlugins(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	args := []string{"build", "-trimpath", "-ldflags", "-s -w", "-o", dir + "/"}
	for _, p := range []string{"main/bridge", "ipam/host-local", "main/loopback", "meta/portmap"} {
		args = append(args, "github.com/containernetworking/plugins/plugins/"+p)
	}
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build the CNI plugins: %v\n%s", err, out)
	}
	return dir
}

// netns creates a named network namespace, deleted when the test ends
// (which removes every link and rule made in it).
func netns(t *testing.T, role string) string {
	t.Helper()
	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		t.Fatal(err)
	}
	name := "hanok-cni-" + role + "-" + hex.EncodeToString(suffix)
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v\n%s", name, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", name).CombinedOutput(); err != nil {
			t.Errorf("ip netns del %s: %v\n%s", name, err, out)
		}
	})
	return name
}

func nsPath(name string) string { return filepath.Join("/var/run/netns", name) }

// ipIn runs `ip -n <ns> args...`.
func ipIn(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command("ip", append([]string{"-n", name}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ip -n %s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// natRules lists the NAT rules of a namespace, iptables' and nftables'.
func natRules(t *testing.T, name string) string {
	t.Helper()
	var all strings.Builder
	for _, cmd := range [][]string{{"iptables-save", "-t", "nat"}, {"nft", "list", "ruleset"}} {
		if _, err := exec.LookPath(cmd[0]); err != nil {
			continue
		}
		out, _ := exec.Command("ip", append([]string{"netns", "exec", name}, cmd...)...).CombinedOutput()
		all.Write(out)
	}
	return all.String()
}
