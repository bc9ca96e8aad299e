package dns

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
)

// BenchmarkServiceQueryUDP is one client asking a Service's A record over
// UDP on 127.0.0.1, one query at a time, from a cluster of 1,000 Services
// (the informers read a fake clientset: this measures the DNS server, not
// the API server). It reports queries per second and the p50/p99 latency.
//
//	go test ./internal/dns -run '^$' -bench ServiceQueryUDP -benchtime 20000x
func BenchmarkServiceQueryUDP(b *testing.B) {
	var objs []runtime.Object
	for i := range 1000 {
		objs = append(objs, svc("bench", fmt.Sprintf("svc-%d", i), fmt.Sprintf("10.43.%d.%d", i/250, i%250+1), svcPort("http", corev1.ProtocolTCP, 80)))
	}
	client := fake.NewClientset(objs...)
	addr := freeAddr(b)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{Client: client, ListenAddrs: []string{addr}, NoForward: true})
	}()
	defer func() { cancel(); <-done }()

	c := &mdns.Client{Net: "udp", Timeout: time.Second}
	var conn *mdns.Conn
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var err error
		if conn, err = c.Dial(addr); err == nil {
			if r, _, err := c.ExchangeWithConn(query("svc-500.bench.svc.cluster.local.", mdns.TypeA), conn); err == nil && len(r.Answer) == 1 {
				break
			}
			conn.Close()
		}
		if time.Now().After(deadline) {
			b.Fatal("the DNS server never answered")
		}
	}
	defer conn.Close()

	q := query("svc-500.bench.svc.cluster.local.", mdns.TypeA)
	latencies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	begin := time.Now()
	for i := 0; i < b.N; i++ {
		q.Id = uint16(i)
		t0 := time.Now()
		r, _, err := c.ExchangeWithConn(q, conn)
		latencies = append(latencies, time.Since(t0))
		if err != nil || len(r.Answer) != 1 {
			b.Fatalf("query %d: %v %v", i, err, r)
		}
	}
	elapsed := time.Since(begin)
	b.StopTimer()
	slices.Sort(latencies)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "queries/s")
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds()), "p99-µs")
}

// benchCluster is 1,000 Services with 10 endpoints each, half headless,
// with resourceVersions as informers hand them.
func benchCluster() ([]*corev1.Service, []*discoveryv1.EndpointSlice) {
	var services []*corev1.Service
	var endpointSlices []*discoveryv1.EndpointSlice
	pg := []discoveryv1.EndpointPort{slicePort("http", corev1.ProtocolTCP, 80)}
	for i := range 1000 {
		name := fmt.Sprintf("svc-%d", i)
		ip := fmt.Sprintf("10.43.%d.%d", i/250, i%250+1)
		if i%2 == 0 {
			ip = corev1.ClusterIPNone
		}
		s := svc("bench", name, ip, svcPort("http", corev1.ProtocolTCP, 80))
		s.ResourceVersion = fmt.Sprint(2 * i)
		services = append(services, s)
		var eps []ep
		for j := range 10 {
			eps = append(eps, ep{ip: fmt.Sprintf("10.42.%d.%d", i/25, (i%25)*10+j+1)})
		}
		sl := slice("bench", name, name+"-1", pg, eps...)
		sl.ResourceVersion = fmt.Sprint(2*i + 1)
		endpointSlices = append(endpointSlices, sl)
	}
	return services, endpointSlices
}

// BenchmarkRebuildOneChange is the rebuild after one EndpointSlice of
// benchCluster changed: only its service is indexed again.
func BenchmarkRebuildOneChange(b *testing.B) {
	services, endpointSlices := benchCluster()
	ix := newIndexer("cluster.local", 5)
	ix.build(1, services, endpointSlices)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		endpointSlices[i%1000].ResourceVersion = fmt.Sprint(10000 + i)
		ix.build(1, services, endpointSlices)
	}
}

// BenchmarkBuild is indexing benchCluster from nothing (what Run does
// once, at start).
func BenchmarkBuild(b *testing.B) {
	services, endpointSlices := benchCluster()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Build("cluster.local", 5, 1, services, endpointSlices)
	}
}

// BenchmarkForwardedQueryUDP is one client asking a name outside the
// cluster: the server forwards it to a fake upstream on 127.0.0.1 (no
// cache, as CoreDNS's forward plugin without the cache plugin).
func BenchmarkForwardedQueryUDP(b *testing.B) {
	up := startUpstream(b, map[string][]string{"www.example.com.": {"www.example.com. 300 IN A 192.0.2.1"}}, nil)
	addr := freeAddr(b)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{Client: fake.NewClientset(), ListenAddrs: []string{addr}, ResolvConf: writeResolvConf(b, up.addr)})
	}()
	defer func() { cancel(); <-done }()
	c := &mdns.Client{Net: "udp", Timeout: time.Second}
	q := query("www.example.com.", mdns.TypeA)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if r, _, err := c.Exchange(q, addr); err == nil && len(r.Answer) == 1 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("the DNS server never answered")
		}
	}
	conn, err := c.Dial(addr)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	latencies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	begin := time.Now()
	for i := 0; i < b.N; i++ {
		q.Id = uint16(i)
		t0 := time.Now()
		r, _, err := c.ExchangeWithConn(q, conn)
		latencies = append(latencies, time.Since(t0))
		if err != nil || len(r.Answer) != 1 {
			b.Fatalf("query %d: %v %v", i, err, r)
		}
	}
	elapsed := time.Since(begin)
	b.StopTimer()
	slices.Sort(latencies)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "queries/s")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds()), "p99-µs")
}
