package proxy

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netns"
	v1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/utils/ptr"
)

// The integration test builds a small node out of network namespaces of
// its own: "node" with a bridge 10.244.0.1/24 and an uplink 192.168.77.1/24,
// two "pods" on the bridge each running a TCP server that answers its
// name, and a "client" on the uplink (an off-node machine). The proxy's
// sync runs inside "node", against the real iptables. Everything goes
// with the namespaces when the test ends, pass or fail.

// requireNetns skips unless the test can make namespaces and run iptables.
func requireNetns(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (network namespaces, iptables)")
	}
	for _, bin := range []string{"ip", "iptables", "iptables-restore", "iptables-save"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("needs %s", bin)
		}
	}
}

// sh runs a command, failing the test on error.
func sh(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// addNetns makes a namespace with lo up, removed when the test ends.
func addNetns(t testing.TB, name string) {
	t.Helper()
	sh(t, "ip", "netns", "add", name)
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", name).CombinedOutput(); err != nil {
			t.Logf("ip netns del %s: %v: %s", name, err, out)
		}
	})
	sh(t, "ip", "-n", name, "link", "set", "lo", "up")
}

// inNetns runs fn on a thread switched into namespace name: sockets it
// opens and processes it starts live there.
func inNetns(t testing.TB, name string, fn func()) {
	t.Helper()
	runtime.LockOSThread()
	restored := false
	defer func() {
		// A thread that could not go back stays locked, and dies with
		// its goroutine rather than serve others in the wrong namespace.
		if restored {
			runtime.UnlockOSThread()
		}
	}()
	orig, err := netns.Get()
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	target, err := netns.GetFromName(name)
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	if err := netns.Set(target); err != nil {
		t.Fatal(err)
	}
	defer func() { restored = netns.Set(orig) == nil }()
	fn()
}

// testNode is the namespaces of one test.
type testNode struct {
	node, pod1, pod2, client string
}

const (
	nodeIP   = "192.168.77.1"
	clientIP = "192.168.77.2"
	pod1IP   = "10.244.0.11"
	pod2IP   = "10.244.0.12"
)

func newTestNode(t *testing.T) *testNode {
	t.Helper()
	id := fmt.Sprintf("%04x", rand.IntN(0x10000))
	n := &testNode{node: "hxp-node-" + id, pod1: "hxp-pod1-" + id, pod2: "hxp-pod2-" + id, client: "hxp-cli-" + id}
	for _, ns := range []string{n.node, n.pod1, n.pod2, n.client} {
		addNetns(t, ns)
	}
	ipn := func(ns string, args ...string) { sh(t, "ip", append([]string{"-n", ns}, args...)...) }
	ipn(n.node, "link", "add", "br0", "type", "bridge")
	ipn(n.node, "addr", "add", "10.244.0.1/24", "dev", "br0")
	ipn(n.node, "link", "set", "br0", "up")
	for i, pod := range []struct{ ns, ip string }{{n.pod1, pod1IP}, {n.pod2, pod2IP}} {
		host := fmt.Sprintf("vp%d", i+1)
		ipn(n.node, "link", "add", host, "type", "veth", "peer", "name", "eth0", "netns", pod.ns)
		ipn(n.node, "link", "set", host, "master", "br0", "up")
		// Hairpin: a pod's packet to its own service may come back out
		// of the port it came in by.
		ipn(n.node, "link", "set", host, "type", "bridge_slave", "hairpin", "on")
		ipn(pod.ns, "addr", "add", pod.ip+"/24", "dev", "eth0")
		ipn(pod.ns, "link", "set", "eth0", "up")
		ipn(pod.ns, "route", "add", "default", "via", "10.244.0.1")
	}
	ipn(n.node, "link", "add", "up0", "type", "veth", "peer", "name", "eth0", "netns", n.client)
	ipn(n.node, "addr", "add", nodeIP+"/24", "dev", "up0")
	ipn(n.node, "link", "set", "up0", "up")
	ipn(n.client, "addr", "add", clientIP+"/24", "dev", "eth0")
	ipn(n.client, "link", "set", "eth0", "up")
	ipn(n.client, "route", "add", "default", "via", nodeIP)
	// The node's default route (which the service range falls under, as
	// on a real node) leads off the node, to the "client" (which does not
	// forward: what is not DNATed gets no answer).
	ipn(n.node, "route", "add", "default", "via", clientIP)
	serve(t, n.pod1, "pod1", 8080)
	serve(t, n.pod2, "pod2", 8080)
	return n
}

// serve opens a TCP listener in namespace ns that answers every connection
// with name, until the test ends.
func serve(t *testing.T, ns, name string, port int) {
	t.Helper()
	var ln net.Listener
	inNetns(t, ns, func() {
		var err error
		if ln, err = net.Listen("tcp", fmt.Sprintf(":%d", port)); err != nil {
			t.Fatal(err)
		}
	})
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			fmt.Fprintf(c, "%s from %s\n", name, c.RemoteAddr())
			c.Close()
		}
	}()
}

// ask connects from namespace ns to addr and returns the answer.
func ask(t *testing.T, ns, addr string) (string, error) {
	t.Helper()
	return askWithin(t, ns, addr, 5*time.Second)
}

// askWithin is ask with a timeout of its own.
func askWithin(t *testing.T, ns, addr string, timeout time.Duration) (string, error) {
	t.Helper()
	var answer string
	var err error
	inNetns(t, ns, func() {
		var c net.Conn
		c, err = net.DialTimeout("tcp", addr, timeout)
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(timeout))
		answer, err = bufio.NewReader(c).ReadString('\n')
		answer = strings.TrimSpace(answer)
	})
	return answer, err
}

// spread asks n times and counts the answers by pod name.
func spread(t *testing.T, ns, addr string, n int) map[string]int {
	t.Helper()
	got := map[string]int{}
	for range n {
		a, err := ask(t, ns, addr)
		if err != nil {
			t.Fatalf("from %s to %s: %v", ns, addr, err)
		}
		name, _, _ := strings.Cut(a, " ")
		got[name]++
	}
	return got
}

func TestNetnsProxy(t *testing.T) {
	requireNetns(t)
	n := newTestNode(t)

	ports := func(nodePort int32) []v1.ServicePort { return []v1.ServicePort{tcpPort("http", 80, nodePort)} }
	web := service("ns", "web", "10.96.0.10", ports(30080), withType(v1.ServiceTypeNodePort))
	empty := service("ns", "empty", "10.96.0.20", ports(30081), withType(v1.ServiceTypeNodePort))
	lb := service("ns", "lb", "10.96.0.30", []v1.ServicePort{tcpPort("http", 8088, 30082)}, withLB(nodeIP))
	self := service("ns", "self", "10.96.0.40", ports(0))
	sticky := service("ns", "sticky", "10.96.0.50", ports(0), withAffinity(60))
	both := slice("ns", "web", "web-1", "http", 8080, readyEP(pod1IP, "node"), readyEP(pod2IP, "node"))
	lbEPs := slice("ns", "lb", "lb-1", "http", 8080, readyEP(pod2IP, "node"))
	others := []*discoveryv1.EndpointSlice{
		lbEPs,
		slice("ns", "self", "self-1", "http", 8080, readyEP(pod1IP, "node")),
		slice("ns", "sticky", "sticky-1", "http", 8080, readyEP(pod1IP, "node"), readyEP(pod2IP, "node")),
	}
	// Every other shape of rule, so the real iptables-restore accepts
	// them all: Local policies with and without local endpoints, source
	// ranges, external IPs, UDP.
	shapes := []*v1.Service{
		service("ns", "etp", "10.96.1.1", ports(30090), withType(v1.ServiceTypeNodePort), withExternalLocal()),
		service("ns", "etp-none", "10.96.1.2", ports(30091), withType(v1.ServiceTypeNodePort), withExternalLocal()),
		service("ns", "itp", "10.96.1.3", ports(0), withInternalLocal()),
		service("ns", "fw", "10.96.1.4", ports(30092), withLB("203.0.113.9"), withSourceRanges("192.168.77.0/24"),
			withExternalIPs("198.51.100.1")),
		service("ns", "udp", "10.96.1.5", []v1.ServicePort{{Name: "dns", Protocol: v1.ProtocolUDP, Port: 53}}),
	}
	udpEPs := slice("ns", "udp", "udp-1", "dns", 53, readyEP(pod1IP, "node"))
	udpEPs.Ports[0].Protocol = ptr.To(v1.ProtocolUDP)
	others = append(others,
		slice("ns", "etp", "etp-1", "http", 8080, readyEP(pod1IP, "node"), readyEP("10.244.5.5", "other")),
		slice("ns", "etp-none", "etp-none-1", "http", 8080, readyEP("10.244.5.5", "other")),
		slice("ns", "itp", "itp-1", "http", 8080, readyEP(pod2IP, "node")),
		slice("ns", "fw", "fw-1", "http", 8080, readyEP(pod2IP, "node")),
		udpEPs,
	)
	in := Input{
		Family:      v1.IPv4Protocol,
		Services:    append([]*v1.Service{web, empty, lb, self, sticky}, shapes...),
		Slices:      append([]*discoveryv1.EndpointSlice{both}, others...),
		NodeName:    "node",
		NodeIPs:     []net.IP{net.ParseIP(nodeIP)},
		ClusterCIDR: mustCIDR("10.244.0.0/16"),
	}
	h := newIptablesHost()
	p := &proxier{host: h, families: []v1.IPFamily{v1.IPv4Protocol}, last: map[v1.IPFamily]*Ruleset{}}
	inNetns(t, n.node, func() {
		h.Prepare(p.families)
		in.RandomFully = h.RandomFully(v1.IPv4Protocol)
		if err := p.syncFamily(in, true); err != nil {
			t.Fatal(err)
		}
	})
	if got := strings.TrimSpace(sh(t, "ip", "netns", "exec", n.node, "cat", "/proc/sys/net/ipv4/ip_forward")); got != "1" {
		t.Fatalf("ip_forward in the node namespace = %s", got)
	}

	t.Run("external traffic policy Local from off the node: the local pod only", func(t *testing.T) {
		if got := spread(t, n.client, nodeIP+":30090", 10); got["pod1"] != 10 {
			t.Errorf("answers %v, want pod1 only", got)
		}
	})
	t.Run("external IP", func(t *testing.T) {
		if a, err := ask(t, n.client, "198.51.100.1:80"); err != nil || !strings.HasPrefix(a, "pod2 ") {
			t.Errorf("external IP: %q, %v", a, err)
		}
	})
	t.Run("load balancer source ranges: the client in, a pod out", func(t *testing.T) {
		if a, err := ask(t, n.client, "203.0.113.9:80"); err != nil || !strings.HasPrefix(a, "pod2 ") {
			t.Errorf("from the allowed range: %q, %v", a, err)
		}
		if a, err := askWithin(t, n.pod1, "203.0.113.9:80", time.Second); err == nil {
			t.Errorf("from outside the allowed range: answered %q", a)
		}
	})
	t.Run("cluster IP from the node reaches both pods", func(t *testing.T) {
		got := spread(t, n.node, "10.96.0.10:80", 40)
		if got["pod1"] == 0 || got["pod2"] == 0 {
			t.Errorf("answers %v, want both pods", got)
		}
	})
	t.Run("cluster IP from off the node, masqueraded", func(t *testing.T) {
		a, err := ask(t, n.client, "10.96.0.10:80")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(a, "from 10.244.0.1:") {
			t.Errorf("answer %q: want the client masqueraded to the node's bridge address", a)
		}
	})
	t.Run("node port on the node IP", func(t *testing.T) {
		got := spread(t, n.client, nodeIP+":30080", 20)
		if got["pod1"]+got["pod2"] != 20 {
			t.Errorf("answers %v", got)
		}
	})
	t.Run("load balancer IP and port", func(t *testing.T) {
		a, err := ask(t, n.client, nodeIP+":8088")
		if err != nil || !strings.HasPrefix(a, "pod2 ") {
			t.Errorf("answer %q, %v: want pod2", a, err)
		}
	})
	t.Run("a pod reaches itself through its service (hairpin, masqueraded)", func(t *testing.T) {
		a, err := ask(t, n.pod1, "10.96.0.40:80")
		if err != nil || !strings.HasPrefix(a, "pod1 from 10.244.0.1:") {
			t.Errorf("answer %q, %v: want pod1, from the node's bridge address", a, err)
		}
	})
	t.Run("client IP affinity sticks to one pod", func(t *testing.T) {
		if got := spread(t, n.client, "10.96.0.50:80", 20); len(got) != 1 {
			t.Errorf("answers %v, want one pod only", got)
		}
	})
	t.Run("no endpoints: refused at once", func(t *testing.T) {
		for _, c := range []struct{ ns, addr string }{{n.node, "10.96.0.20:80"}, {n.client, nodeIP + ":30081"}, {n.pod1, "10.96.0.20:80"}} {
			_, err := ask(t, c.ns, c.addr)
			if !errors.Is(err, syscall.ECONNREFUSED) {
				t.Errorf("from %s to %s: %v, want connection refused", c.ns, c.addr, err)
				t.Logf("node's rules:\n%s", sh(t, "ip", "netns", "exec", n.node, "iptables-save", "-c"))
			}
		}
	})
	t.Run("a cluster IP answers no ping", func(t *testing.T) {
		if _, err := exec.LookPath("busybox"); err != nil {
			t.Skip("needs busybox for ping")
		}
		if out, err := exec.Command("ip", "netns", "exec", n.node, "busybox", "ping", "-c", "1", "-W", "1", pod1IP).CombinedOutput(); err != nil {
			t.Fatalf("ping to a pod (control) failed: %v: %s", err, out)
		}
		if out, err := exec.Command("ip", "netns", "exec", n.node, "busybox", "ping", "-c", "1", "-W", "1", "10.96.0.10").CombinedOutput(); err == nil {
			t.Errorf("ping to the cluster IP answered: %s", out)
		}
	})

	// An endpoint goes: a partial sync rewrites only what changed, and its
	// SEP chain is deleted.
	gone := endpointChain("ns/web:http", "tcp", pod1IP+":8080")
	in.Slices = append([]*discoveryv1.EndpointSlice{slice("ns", "web", "web-1", "http", 8080, readyEP(pod2IP, "node"))}, others...)
	inNetns(t, n.node, func() {
		if err := p.syncFamily(in, false); err != nil {
			t.Fatal(err)
		}
	})
	if got := spread(t, n.node, "10.96.0.10:80", 10); got["pod2"] != 10 {
		t.Errorf("after pod1 left: answers %v, want pod2 only", got)
	}
	if save := sh(t, "ip", "netns", "exec", n.node, "iptables-save", "-t", "nat"); strings.Contains(save, gone) {
		t.Errorf("stale chain %s still there", gone)
	}

	// IPv6 too: a dual-stack service's rules go through ip6tables-restore.
	if _, err := exec.LookPath("ip6tables-restore"); err == nil {
		dual := service("ns", "dual", "10.96.0.60", ports(30093), withType(v1.ServiceTypeNodePort), withAffinity(30))
		dual.Spec.ClusterIPs = []string{"10.96.0.60", "fd00:96::60"}
		v6 := slice("ns", "dual", "dual-v6", "http", 8080, readyEP("fd00:244::11", "node"), readyEP("fd00:244::12", "other"))
		inNetns(t, n.node, func() {
			err := p.syncFamily(Input{Family: v1.IPv6Protocol, Services: []*v1.Service{dual}, Slices: []*discoveryv1.EndpointSlice{v6},
				NodeName: "node", ClusterCIDR: mustCIDR("fd00:244::/56")}, true)
			if err != nil {
				t.Fatalf("IPv6 sync: %v", err)
			}
		})
		if save := sh(t, "ip", "netns", "exec", n.node, "ip6tables-save", "-t", "nat"); !strings.Contains(save, "--to-destination [fd00:244::12]:8080") {
			t.Errorf("IPv6 rules missing:\n%s", save)
		}
	}

	// Chains left by an earlier run go on a full sync; the jumps are not
	// added twice.
	sh(t, "ip", "netns", "exec", n.node, "iptables", "-t", "nat", "-N", "KUBE-SEP-LEFTOVERFROMBEFOR")
	inNetns(t, n.node, func() {
		if err := p.syncFamily(in, true); err != nil {
			t.Fatal(err)
		}
	})
	save := sh(t, "ip", "netns", "exec", n.node, "iptables-save", "-t", "nat")
	if strings.Contains(save, "KUBE-SEP-LEFTOVERFROMBEFOR") {
		t.Error("leftover chain survived a full sync")
	}
	if c := strings.Count(save, "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES"); c != 1 {
		t.Errorf("%d jumps from PREROUTING after two full syncs, want 1:\n%s", c, save)
	}

	// Cleanup takes every rule and chain away.
	inNetns(t, n.node, func() {
		if err := Cleanup(); err != nil {
			t.Fatal(err)
		}
	})
	for _, save := range []string{
		sh(t, "ip", "netns", "exec", n.node, "iptables-save"),
		sh(t, "ip", "netns", "exec", n.node, "ip6tables-save"),
	} {
		if strings.Contains(save, "KUBE-") {
			t.Errorf("after Cleanup:\n%s", save)
		}
	}
	// And a second Cleanup finds nothing to do.
	inNetns(t, n.node, func() {
		if err := Cleanup(); err != nil {
			t.Fatal(err)
		}
	})
}
