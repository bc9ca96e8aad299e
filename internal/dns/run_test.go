package dns

import (
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
	"github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/testserver"
)

// kubeProxy is the identity the agent gives its DNS server.
const kubeProxy = "system:kube-proxy"

func TestRun(t *testing.T) {
	s := shared.Get(t)
	ctx := testserver.Context(t)
	admin := s.Client()
	ns := s.CreateNamespace(t)

	web, err := admin.CoreV1().Services(ns).Create(ctx, svc(ns, "web", "", svcPort("http", corev1.ProtocolTCP, 80)), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CoreV1().Services(ns).Create(ctx, svc(ns, "db", corev1.ClusterIPNone, svcPort("pg", corev1.ProtocolTCP, 5432)), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	dbSlice := slice(ns, "db", "db-1", []discoveryv1.EndpointPort{slicePort("pg", corev1.ProtocolTCP, 5432)},
		ep{ip: "10.42.0.5", hostname: "db-0"}, ep{ip: "10.42.1.6", hostname: "db-1"}, ep{ip: "10.42.2.7", notReady: true})
	if _, err := admin.DiscoveryV1().EndpointSlices(ns).Create(ctx, dbSlice, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	if _, err := admin.CoreV1().Services(ns).Create(ctx, externalSvc(ns, "ext", "www.example.com"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CoreV1().Services(ns).Create(ctx, svc(ns, "big", corev1.ClusterIPNone, svcPort("http", corev1.ProtocolTCP, 80)), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var many []ep
	for i := range 100 {
		many = append(many, ep{ip: fmt.Sprintf("10.42.9.%d", i+1)})
	}
	if _, err := admin.DiscoveryV1().EndpointSlices(ns).Create(ctx, slice(ns, "big", "big-1", nil, many...), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	up := startUpstream(t, map[string][]string{
		"www.example.com.": {"www.example.com. 300 IN A 192.0.2.1"},
		"big.example.com.": {"big.example.com. 300 IN A 192.0.2.2"},
	}, map[string]bool{"big.example.com.": true})
	dead := freeAddr(t) // nothing listens: the first upstream fails, the second answers
	addr := startDNS(t, s.ClientFor(t, kubeProxy), writeResolvConf(t, dead, up.addr))
	zone := ns + ".svc.cluster.local."

	check := func(t *testing.T, r *mdns.Msg, rcode int, want ...string) {
		t.Helper()
		if r.Rcode != rcode {
			t.Errorf("rcode %s, want %s", mdns.RcodeToString[r.Rcode], mdns.RcodeToString[rcode])
		}
		if got := sorted(shorts(r.Answer)); !slices.Equal(got, sorted(want)) {
			t.Errorf("answer\n got %q\nwant %q", got, sorted(want))
		}
	}
	for _, network := range []string{"udp", "tcp"} {
		t.Run(network, func(t *testing.T) {
			check(t, ask(t, network, addr, "web."+zone, mdns.TypeA), mdns.RcodeSuccess, "web."+zone+" A "+web.Spec.ClusterIP)
			check(t, ask(t, network, addr, "db."+zone, mdns.TypeA), mdns.RcodeSuccess, "db."+zone+" A 10.42.0.5", "db."+zone+" A 10.42.1.6")
			check(t, ask(t, network, addr, "db-1.db."+zone, mdns.TypeA), mdns.RcodeSuccess, "db-1.db."+zone+" A 10.42.1.6")
			check(t, ask(t, network, addr, "_http._tcp.web."+zone, mdns.TypeSRV), mdns.RcodeSuccess,
				"_http._tcp.web."+zone+" SRV 0 100 80 web."+zone)
			check(t, ask(t, network, addr, "_pg._tcp.db."+zone, mdns.TypeSRV), mdns.RcodeSuccess,
				"_pg._tcp.db."+zone+" SRV 0 50 5432 db-0.db."+zone, "_pg._tcp.db."+zone+" SRV 0 50 5432 db-1.db."+zone)
			ptr, _ := mdns.ReverseAddr(web.Spec.ClusterIP)
			check(t, ask(t, network, addr, ptr, mdns.TypePTR), mdns.RcodeSuccess, ptr+" PTR web."+zone)
			check(t, ask(t, network, addr, "6.1.42.10.in-addr.arpa.", mdns.TypePTR), mdns.RcodeSuccess, "6.1.42.10.in-addr.arpa. PTR db-1.db."+zone)
			nx := ask(t, network, addr, "nope."+zone, mdns.TypeA)
			check(t, nx, mdns.RcodeNameError)
			if len(nx.Ns) != 1 || nx.Ns[0].Header().Rrtype != mdns.TypeSOA {
				t.Errorf("NXDOMAIN authority %v, want the SOA", nx.Ns)
			}
			check(t, ask(t, network, addr, "www.example.com.", mdns.TypeA), mdns.RcodeSuccess, "www.example.com. A 192.0.2.1")
			check(t, ask(t, network, addr, "www.example.com."+ns+".svc.cluster.local.", mdns.TypeA), mdns.RcodeNameError)
			check(t, ask(t, network, addr, "www.example.com.example.internal.", mdns.TypeA), mdns.RcodeNameError) // the upstream's NXDOMAIN
			// An ExternalName is followed upstream.
			check(t, ask(t, network, addr, "ext."+zone, mdns.TypeA), mdns.RcodeSuccess,
				"ext."+zone+" CNAME www.example.com.", "www.example.com. A 192.0.2.1")
			// 100 records: truncated over UDP, whole over TCP.
			big := ask(t, network, addr, "big."+zone, mdns.TypeA)
			if network == "udp" && (!big.Truncated || len(big.Answer) >= 100) || network == "tcp" && (big.Truncated || len(big.Answer) != 100) {
				t.Errorf("100 endpoints over %s: tc=%v, %d answers", network, big.Truncated, len(big.Answer))
			}
			// Truncated over UDP upstream: asked again over TCP.
			check(t, ask(t, network, addr, "big.example.com.", mdns.TypeA), mdns.RcodeSuccess, "big.example.com. A 192.0.2.2")
		})
	}

	// A service created now is answered within a second.
	created := time.Now()
	late, err := admin.CoreV1().Services(ns).Create(ctx, svc(ns, "late", "", svcPort("http", corev1.ProtocolTCP, 80)), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for {
		r := ask(t, "udp", addr, "late."+zone, mdns.TypeA)
		if r.Rcode == mdns.RcodeSuccess && len(r.Answer) == 1 && r.Answer[0].(*mdns.A).A.String() == late.Spec.ClusterIP {
			t.Logf("a new service answered %v after its creation", time.Since(created).Round(time.Millisecond))
			break
		}
		if time.Since(created) > time.Second {
			t.Fatalf("late service not answered a second after its creation: %v", r)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// And a deleted one goes.
	if err := admin.CoreV1().Services(ns).Delete(ctx, "late", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	for deleted := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		if r := ask(t, "udp", addr, "late."+zone, mdns.TypeA); r.Rcode == mdns.RcodeNameError {
			break
		}
		if time.Since(deleted) > 10*time.Second {
			t.Fatal("deleted service still answered")
		}
	}
}

func TestRunAllUpstreamsFail(t *testing.T) {
	s := shared.Get(t)
	addr := startDNS(t, s.ClientFor(t, kubeProxy), writeResolvConf(t, freeAddr(t)))
	if r := ask(t, "udp", addr, "www.example.com.", mdns.TypeA); r.Rcode != mdns.RcodeServerFailure {
		t.Errorf("rcode %s, want SERVFAIL", mdns.RcodeToString[r.Rcode])
	}
}

func TestForwarderNeverForwardsToItself(t *testing.T) {
	addr := freeAddr(t)
	// resolv.conf names only this server: nothing is left to forward to.
	f := newForwarder(writeResolvConf(t, addr), []string{addr}, time.Second, logrus.WithField("component", "test"))
	if got := *f.servers.Load(); len(got) != 0 {
		t.Fatalf("upstreams %v, want none", got)
	}
	if _, err := f.exchange(testserver.Context(t), query("www.example.com.", mdns.TypeA)); err != errNoUpstream {
		t.Errorf("exchange: %v, want %v", err, errNoUpstream)
	}
}

func TestForwarderRereadsResolvConf(t *testing.T) {
	path := writeResolvConf(t, "10.0.0.2")
	f := newForwarder(path, nil, time.Second, logrus.WithField("component", "test"))
	if err := os.WriteFile(path, []byte("nameserver 10.0.0.3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A different modification time, whatever the file system's clock
	// granularity.
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	f.reload()
	if got := *f.servers.Load(); !slices.Equal(got, []string{"10.0.0.3:53"}) {
		t.Errorf("upstreams %v after the change", got)
	}
}

func TestRunFailsOnTakenPort(t *testing.T) {
	s := shared.Get(t)
	addr := startDNS(t, s.ClientFor(t, kubeProxy), writeResolvConf(t))
	err := Run(testserver.Context(t), Config{Client: s.ClientFor(t, kubeProxy), ListenAddrs: []string{addr}, ResolvConf: writeResolvConf(t)})
	if err == nil {
		t.Fatal("a second server on the same address started")
	}
	t.Log(err)
}
