package e2e

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hanok-dev/hanok/internal/datadir"
)

// testNet is the test's own switch: a bridge in the test's namespace with
// one veth per host namespace, on a private /24 of the test's.
type testNet struct {
	bridge string
	prefix string // "10.252.N."
}

func newTestNet(t *testing.T) *testNet {
	t.Helper()
	n := rand.IntN(200) + 10
	tn := &testNet{bridge: fmt.Sprintf("hkbr%d", n), prefix: fmt.Sprintf("10.252.%d.", n)}
	run(t, "ip", "link", "add", tn.bridge, "type", "bridge")
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", tn.bridge).Run() })
	run(t, "ip", "addr", "add", tn.prefix+"254/24", "dev", tn.bridge)
	run(t, "ip", "link", "set", tn.bridge, "up")
	return tn
}

// host adds a host namespace with address prefix+i on the switch.
func (tn *testNet) host(t *testing.T, i int) *hostNS {
	t.Helper()
	h := &hostNS{
		name:     fmt.Sprintf("hanok-mn-%d-%d", os.Getpid(), i),
		hostIP:   net.ParseIP(tn.prefix + "254").To4(),
		nodeIP:   net.ParseIP(fmt.Sprintf("%s%d", tn.prefix, i)).To4(),
		hostLink: fmt.Sprintf("%s-%d", tn.bridge, i),
	}
	run(t, "ip", "netns", "add", h.name)
	t.Cleanup(func() {
		_ = exec.Command("ip", "link", "del", h.hostLink).Run()
		_ = exec.Command("ip", "netns", "del", h.name).Run()
	})
	run(t, "ip", "link", "add", h.hostLink, "type", "veth", "peer", "name", "eth0", "netns", h.name)
	run(t, "ip", "link", "set", h.hostLink, "master", tn.bridge, "up")
	run(t, "ip", "-n", h.name, "addr", "add", h.nodeIP.String()+"/24", "dev", "eth0")
	run(t, "ip", "-n", h.name, "link", "set", "eth0", "up")
	run(t, "ip", "-n", h.name, "link", "set", "lo", "up")
	return h
}

// startMultiNode runs a server on host 1 and agents on hosts 2 and 3 that
// join it with its node token, all with the given network backend.
func startMultiNode(t *testing.T, backend string) (*server, []*server) {
	t.Helper()
	needRoot(t)
	tn := newTestNet(t)
	dir := t.TempDir()
	nodeArgs := func(s *server, h *hostNS) []string {
		return []string{"--data-dir", s.dataDir, "--node-ip", h.nodeIP.String(), "--node-name", s.nodeName,
			"--network-backend", backend, "--resolv-conf", writeResolvConf(t, filepath.Dir(s.dataDir)),
			"--private-registry", filepath.Join(filepath.Dir(s.dataDir), "registries.yaml")}
	}
	newNode := func(i int) *server {
		h := tn.host(t, i)
		nodeDir := filepath.Join(dir, fmt.Sprintf("n%d", i))
		if err := os.MkdirAll(nodeDir, 0o755); err != nil {
			t.Fatal(err)
		}
		s := &server{t: t, host: h, command: "nsenter", port: 6443, dataDir: filepath.Join(nodeDir, "data"),
			kubeconfig: filepath.Join(nodeDir, "kubeconfig.yaml"), nodeName: fmt.Sprintf("mn%d-%s", i, backend)}
		writeTestImages(t, datadir.New(s.dataDir).ImagesDir())
		t.Cleanup(func() { cleanupNode(t, s) })
		return s
	}
	srv := newNode(1)
	if err := os.WriteFile(filepath.Join(dir, "empty.yaml"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	srv.args = append([]string{"--net=/var/run/netns/" + srv.host.name, hanokBin(t), "server",
		"--config", filepath.Join(dir, "empty.yaml"), "--write-kubeconfig", srv.kubeconfig}, nodeArgs(srv, srv.host)...)
	srv.start()
	token, err := os.ReadFile(filepath.Join(srv.dataDir, "server", "node-token"))
	if err != nil {
		t.Fatal(err)
	}
	var agents []*server
	for i := 2; i <= 3; i++ {
		a := newNode(i)
		a.agent = true
		a.kubeconfig = srv.kubeconfig
		a.args = append([]string{"--net=/var/run/netns/" + a.host.name, hanokBin(t), "agent",
			"--config", filepath.Join(dir, "empty.yaml"),
			"--server", srv.url(), "--token", strings.TrimSpace(string(token))}, nodeArgs(a, a.host)...)
		a.start()
		agents = append(agents, a)
	}
	for _, n := range append([]*server{srv}, agents...) {
		eventually(t, 90*time.Second, "node "+n.nodeName+" Ready", func() error {
			if got := srv.jsonpath("node/"+n.nodeName, `{.status.conditions[?(@.type=="Ready")].status}`); got != "True" {
				return fmt.Errorf("Ready=%q", got)
			}
			return nil
		})
	}
	return srv, agents
}

func TestMultiNodeNetworking(t *testing.T) {
	for _, backend := range []string{"host-gw", "vxlan"} {
		t.Run(backend, func(t *testing.T) { testMultiNode(t, backend) })
	}
}

func testMultiNode(t *testing.T, backend string) {
	srv, agents := startMultiNode(t, backend)
	ns := "e2e-net"
	srv.mustKubectl("create", "namespace", ns)
	waitForDefaultServiceAccount(t, srv, ns)
	nodes := []string{srv.nodeName, agents[0].nodeName, agents[1].nodeName}
	// A web pod and a client pod pinned on each node.
	for i, node := range nodes {
		srv.mustKubectlIn(fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: web-%d, labels: {app: web}}
spec:
  nodeName: %s
  containers: [{name: c, image: %s, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: client-%d}
spec:
  nodeName: %s
  containers: [{name: c, image: %s, command: [sleep, "600"]}]
`, i, node, webImage, i, node, busyboxImage), "-n", ns, "apply", "-f", "-")
	}
	for i := range nodes {
		srv.waitPodField(ns, fmt.Sprintf("web-%d", i), "{.status.phase}", "Running", 90*time.Second)
		srv.waitPodField(ns, fmt.Sprintf("client-%d", i), "{.status.phase}", "Running", 90*time.Second)
	}
	podIP := func(name string) string { return srv.jsonpath("pod/"+name, "{.status.podIP}", "-n", ns) }
	fetch := func(client, url string) (string, error) {
		return srv.kubectl("-n", ns, "exec", client, "--", "sh", "-c", "timeout 5 wget -qO- "+url)
	}
	// Pod to pod, on one node and across nodes, source preserved.
	for _, pair := range [][2]int{{0, 0}, {1, 2}, {2, 0}} {
		client, web := fmt.Sprintf("client-%d", pair[0]), fmt.Sprintf("web-%d", pair[1])
		var out string
		eventually(t, 30*time.Second, client+" reaches "+web, func() error {
			var err error
			out, err = fetch(client, "http://"+podIP(web)+":8080/")
			return err
		})
		contains(t, out, "host="+web, "client="+podIP(client)+":")
	}
	// A ClusterIP Service from another node, spread over its endpoints; a
	// ping to the ClusterIP gets no answer.
	srv.mustKubectl("-n", ns, "expose", "pod", "web-0", "--name", "web", "--port", "80", "--target-port", "8080", "--selector", "app=web")
	seen := map[string]bool{}
	eventually(t, 60*time.Second, "the Service spreads over pods on all nodes", func() error {
		out, err := fetch("client-1", "http://web/")
		if err != nil {
			return err
		}
		seen[strings.Fields(out)[0]] = true
		if len(seen) < 3 {
			return fmt.Errorf("reached %v", seen)
		}
		return nil
	})
	clusterIP := srv.jsonpath("service/web", "{.spec.clusterIP}", "-n", ns)
	if out, err := srv.kubectl("-n", ns, "exec", "client-2", "--", "ping", "-c", "1", "-W", "2", clusterIP); err == nil {
		t.Fatalf("ping to the ClusterIP answered: %s", out)
	}
	// DNS from inside a pod.
	contains(t, srv.mustKubectl("-n", ns, "exec", "client-2", "--", "nslookup", "kubernetes.default.svc.cluster.local"), "10.43.0.1")
	// NodePort and LoadBalancer on every node's IP, from outside the
	// cluster (the test's own namespace), including nodes with no backend.
	srv.mustKubectl("-n", ns, "create", "service", "nodeport", "web-np", "--tcp", "80:8080")
	srv.mustKubectl("-n", ns, "patch", "service", "web-np", "--type", "merge", "-p", `{"spec":{"selector":{"app":"web","only":"one"}}}`)
	srv.mustKubectl("-n", ns, "label", "pod", "web-1", "only=one")
	srv.mustKubectl("-n", ns, "create", "service", "loadbalancer", "web-lb", "--tcp", "8081:8080")
	srv.mustKubectl("-n", ns, "patch", "service", "web-lb", "--type", "merge", "-p", `{"spec":{"selector":{"app":"web","only":"one"}}}`)
	nodePort := srv.jsonpath("service/web-np", "{.spec.ports[0].nodePort}", "-n", ns)
	for _, n := range append([]*server{srv}, agents...) {
		for _, url := range []string{
			fmt.Sprintf("http://%s:%s/", n.host.nodeIP, nodePort),
			fmt.Sprintf("http://%s:8081/", n.host.nodeIP),
		} {
			eventually(t, 60*time.Second, "GET "+url, func() error {
				out, err := httpGet(url)
				if err != nil || !strings.Contains(out, "host=web-1") {
					return fmt.Errorf("%v: %s", err, out)
				}
				return nil
			})
		}
	}
	contains(t, srv.jsonpath("service/web-lb", "{.status.loadBalancer.ingress[*].ip}", "-n", ns), agents[0].host.nodeIP.String())
	// A node removed: its pod network leaves the others' routes.
	gone := agents[1]
	cidr := srv.jsonpath("node/"+gone.nodeName, "{.spec.podCIDR}")
	gone.stop()
	srv.mustKubectl("delete", "node", gone.nodeName)
	for _, n := range []*server{srv, agents[0]} {
		eventually(t, 30*time.Second, "route to "+cidr+" gone on "+n.nodeName, func() error {
			out := run(t, "ip", "-n", n.host.name, "route", "show", cidr)
			if strings.TrimSpace(out) != "" {
				return fmt.Errorf("still routed: %s", out)
			}
			return nil
		})
	}
}

// httpGet fetches a URL from the test's own namespace (a node IP on the
// test's switch), bounded in time.
func httpGet(url string) (string, error) {
	out, err := exec.Command("curl", "-sS", "--max-time", "5", url).CombinedOutput()
	return string(out), err
}
