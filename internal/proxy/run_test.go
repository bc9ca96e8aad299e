package proxy

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"

	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

// fakeHost stands in for iptables: it applies restore input to tables in
// memory, as iptables-restore --noflush would, and records every input.
type fakeHost struct {
	mu       sync.Mutex
	prepared bool
	ensured  int
	inputs   []string
	tables   map[string]map[string][]string // table -> chain -> rules
}

func newFakeHost() *fakeHost {
	return &fakeHost{tables: map[string]map[string][]string{tableNAT: {}, tableFilter: {}}}
}

func (f *fakeHost) Prepare([]v1.IPFamily) { f.mu.Lock(); f.prepared = true; f.mu.Unlock() }
func (f *fakeHost) EnsureJumps(v1.IPFamily) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ensured++
	return nil
}
func (f *fakeHost) RandomFully(v1.IPFamily) bool { return false }
func (f *fakeHost) FlushConntrack([][]string)    {}

func (f *fakeHost) ListChains(_ v1.IPFamily, table string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for c := range f.tables[table] {
		out = append(out, c)
	}
	return out, nil
}

func (f *fakeHost) Restore(_ v1.IPFamily, data []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inputs = append(f.inputs, string(data))
	var table map[string][]string
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "*"):
			table = f.tables[line[1:]]
		case strings.HasPrefix(line, ":"):
			name, _, _ := strings.Cut(line[1:], " ")
			table[name] = []string{}
		case strings.HasPrefix(line, "-A "):
			name, _, _ := strings.Cut(line[3:], " ")
			table[name] = append(table[name], line)
		case strings.HasPrefix(line, "-X "):
			delete(table, line[3:])
		}
	}
	return nil
}

// rules is table/chain's rules now (nil when the chain does not exist).
func (f *fakeHost) rules(table, chain string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tables[table][chain]
}

func (f *fakeHost) chains(table, prefix string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for c := range f.tables[table] {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeHost) lastInput() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.inputs) == 0 {
		return ""
	}
	return f.inputs[len(f.inputs)-1]
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(context.Background(), 20*time.Millisecond, 20*time.Second, true,
		func(context.Context) (bool, error) { return cond(), nil }); err != nil {
		t.Fatalf("timed out waiting for %s", what)
	}
}

// Run, as system:kube-proxy against the API server, follows Services and
// EndpointSlices: a service's rules appear, an endpoint added rewrites only
// its chains, a deleted service's chains go.
func TestRunFollowsTheAPI(t *testing.T) {
	s := shared.Get(t)
	ctx := testserver.Context(t)
	admin := s.Client()
	ns := s.CreateNamespace(t)
	nodeName := "proxy-node-" + ns

	// The node's pod CIDR stands in for the cluster CIDR when none is set.
	node := &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: nodeName}, Spec: v1.NodeSpec{PodCIDR: "10.244.7.0/24", PodCIDRs: []string{"10.244.7.0/24"}}}
	if _, err := admin.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.CoreV1().Nodes().Delete(context.Background(), nodeName, metav1.DeleteOptions{}) })

	web, err := admin.CoreV1().Services(ns).Create(ctx, &v1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: v1.ServiceSpec{Type: v1.ServiceTypeNodePort, Ports: []v1.ServicePort{{Name: "http", Port: 80, Protocol: v1.ProtocolTCP}},
			Selector: map[string]string{"app": "web"}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CoreV1().Services(ns).Create(ctx, &v1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "headless"},
		Spec:       v1.ServiceSpec{ClusterIP: v1.ClusterIPNone, Ports: []v1.ServicePort{{Port: 80}}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	epSlice := &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Name: "web-1", Labels: map[string]string{discoveryv1.LabelServiceName: "web"}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       []discoveryv1.EndpointPort{{Name: ptr.To("http"), Port: ptr.To[int32](8080), Protocol: ptr.To(v1.ProtocolTCP)}},
		Endpoints: []discoveryv1.Endpoint{
			{Addresses: []string{"10.244.7.11"}, NodeName: ptr.To(nodeName), Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}},
			{Addresses: []string{"10.244.8.12"}, NodeName: ptr.To("elsewhere"), Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}},
		},
	}
	if epSlice, err = admin.DiscoveryV1().EndpointSlices(ns).Create(ctx, epSlice, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	host := newFakeHost()
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(runCtx, Config{
			NodeName:        nodeName,
			Client:          s.ClientFor(t, "system:kube-proxy"),
			SyncPeriod:      time.Hour,
			MinSyncInterval: 10 * time.Millisecond,
		}, host)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})

	name := ns + "/web:http"
	svcChain := servicePortChain(prefixSVC, name, "tcp")
	eventually(t, "the service's chain with two endpoints", func() bool { return len(host.rules(tableNAT, svcChain)) == 3 })
	if got := host.rules(tableNAT, svcChain)[0]; !strings.HasSuffix(got, "! -s 10.244.7.0/24 -j KUBE-MARK-MASQ") {
		t.Errorf("masquerade rule %q: want the node's pod CIDR", got)
	}
	capture := `-A KUBE-SERVICES -m comment --comment "` + name + ` cluster IP" -m tcp -p tcp -d ` + web.Spec.ClusterIP + ` --dport 80 -j ` + svcChain
	if got := host.rules(tableNAT, chainServices); len(got) == 0 || got[0] != capture {
		t.Errorf("KUBE-SERVICES %q, want first %q", got, capture)
	}
	nodePort := `--dport ` + itoa(web.Spec.Ports[0].NodePort) + ` -j ` + servicePortChain(prefixEXT, name, "tcp")
	if got := host.rules(tableNAT, chainNodePorts); len(got) != 1 || !strings.HasSuffix(got[0], nodePort) {
		t.Errorf("KUBE-NODEPORTS %q, want one rule ending %q", got, nodePort)
	}
	for _, c := range host.chains(tableNAT, "KUBE-SVC-") {
		if c != svcChain {
			t.Errorf("unexpected chain %s (the headless service has none)", c)
		}
	}
	host.mu.Lock()
	prepared, ensured := host.prepared, host.ensured
	host.mu.Unlock()
	if !prepared || ensured == 0 {
		t.Errorf("prepared %v, jumps ensured %d times", prepared, ensured)
	}

	// A third endpoint: only the SVC chain and the new SEP chain are
	// written.
	epSlice.Endpoints = append(epSlice.Endpoints, discoveryv1.Endpoint{Addresses: []string{"10.244.9.13"}, Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}})
	if _, err := admin.DiscoveryV1().EndpointSlices(ns).Update(ctx, epSlice, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "three endpoints", func() bool { return len(host.rules(tableNAT, svcChain)) == 4 })
	newSEP := endpointChain(name, "tcp", "10.244.9.13:8080")
	if last := host.lastInput(); strings.Contains(last, ":KUBE-SERVICES ") || !strings.Contains(last, ":"+newSEP+" ") {
		t.Errorf("incremental sync wrote:\n%s", last)
	}

	// The service goes: so do its chains.
	if err := admin.CoreV1().Services(ns).Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the service's chains to go", func() bool {
		return host.rules(tableNAT, svcChain) == nil && len(host.chains(tableNAT, "KUBE-SEP-")) == 0 && len(host.rules(tableNAT, chainServices)) == 1
	})
}

// A periodic full sync rewrites everything and deletes chains found on the
// host that no one wants.
func TestRunFullResync(t *testing.T) {
	s := shared.Get(t)
	host := newFakeHost()
	host.tables[tableNAT]["KUBE-SEP-LEFTOVERFROMBEFOR"] = []string{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, Config{NodeName: "resync-node", Client: s.ClientFor(t, "system:kube-proxy"),
			SyncPeriod: 200 * time.Millisecond}, host)
	}()
	defer func() { cancel(); <-done }()
	eventually(t, "the leftover chain to go", func() bool { return len(host.chains(tableNAT, "KUBE-SEP-LEFTOVER")) == 0 })
	eventually(t, "a second full sync", func() bool {
		host.mu.Lock()
		defer host.mu.Unlock()
		full := 0
		for _, in := range host.inputs {
			if strings.Contains(in, ":KUBE-SERVICES ") {
				full++
			}
		}
		return full >= 2 && host.ensured >= 2
	})
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }
