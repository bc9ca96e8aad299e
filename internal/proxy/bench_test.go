package proxy

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/utils/ptr"
)

// The goal: a full sync of 1,000 Services with 10 endpoints each
// under 1s, one incremental change under 100ms. These measure the pure
// part (rule build and restore input) and, as root, the real
// iptables-restore in a namespace of the benchmark's own.

const benchServices, benchEndpoints = 1000, 10

func benchInput() Input {
	svcs, eps := bigCluster(benchServices, benchEndpoints)
	return Input{Services: svcs, Slices: eps, NodeName: "node-0", ClusterCIDR: mustCIDR("10.96.0.0/8")}
}

// withOneMoreEndpoint is in with an 11th endpoint on service i.
func withOneMoreEndpoint(in Input, i int) Input {
	out := in
	out.Slices = append([]*discoveryv1.EndpointSlice(nil), in.Slices...)
	s := out.Slices[i].DeepCopy()
	s.Endpoints = append(s.Endpoints, discoveryv1.Endpoint{
		Addresses:  []string{fmt.Sprintf("10.250.%d.%d", i/250, i%250)},
		Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)},
	})
	out.Slices[i] = s
	return out
}

// cpuTime is the CPU time used so far by this process (who) or its
// waited-for children: on a shared machine wall time says little.
func cpuTime(who int) time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(who, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per round since start.
func reportCPU(b *testing.B, who int, start time.Duration) {
	b.ReportMetric(float64(cpuTime(who)-start)/float64(b.N)/1e6, "cpu-ms/op")
}

func BenchmarkFullSync(b *testing.B) {
	in := benchInput()
	var size, rules int
	start := cpuTime(syscall.RUSAGE_SELF)
	for b.Loop() {
		r := Build(in)
		size = len(r.Render(nil, nil))
		rules = r.RuleCount()
	}
	reportCPU(b, syscall.RUSAGE_SELF, start)
	b.ReportMetric(float64(size), "restore-bytes")
	b.ReportMetric(float64(rules), "rules")
}

// BenchmarkIncrementalSync is what the proxier does on one change: the
// Builder rebuilds the one changed service and puts the chains together,
// and only the changed chains are rendered. Rounds alternate between the
// two states so each has one change to make.
func BenchmarkIncrementalSync(b *testing.B) {
	states := []Input{benchInput(), withOneMoreEndpoint(benchInput(), 500)}
	states[1].Services = states[0].Services
	for i := range states[1].Slices {
		if i != 500 {
			states[1].Slices[i] = states[0].Slices[i]
		}
	}
	builder := NewBuilder()
	prev := builder.Build(states[0])
	var size, i int
	start := cpuTime(syscall.RUSAGE_SELF)
	for b.Loop() {
		i++
		next := builder.Build(states[i%2])
		size = len(next.Render(prev, nil))
		prev = next
	}
	reportCPU(b, syscall.RUSAGE_SELF, start)
	b.ReportMetric(float64(size), "restore-bytes")
}

// BenchmarkRestore is the real iptables-restore (the host's: nf_tables
// here) in a namespace of its own: the full input on empty tables, and one
// incremental change on top of it. 200 services of 10 endpoints by
// default (a full restore of 1,000 takes minutes with iptables-nft on a
// busy machine); HANOK_BENCH_RESTORE_SERVICES sets the number.
func BenchmarkRestore(b *testing.B) {
	requireNetns(b)
	n := 200
	if v, err := strconv.Atoi(os.Getenv("HANOK_BENCH_RESTORE_SERVICES")); err == nil && v > 0 {
		n = v
	}
	ns := fmt.Sprintf("hxp-bench-%04x", rand.IntN(0x10000))
	addNetns(b, ns)
	svcs, eps := bigCluster(n, benchEndpoints)
	in := Input{Services: svcs, Slices: eps, NodeName: "node-0", ClusterCIDR: mustCIDR("10.96.0.0/8")}
	full := Build(in)
	h := newIptablesHost()
	restore := func(b *testing.B, data []byte) {
		inNetns(b, ns, func() {
			if err := h.Restore(v1.IPv4Protocol, data); err != nil {
				b.Fatal(err)
			}
		})
	}
	b.Run(fmt.Sprintf("full-%dx%d", n, benchEndpoints), func(b *testing.B) {
		data := full.Render(nil, nil)
		start := cpuTime(syscall.RUSAGE_CHILDREN)
		for b.Loop() {
			restore(b, data)
		}
		reportCPU(b, syscall.RUSAGE_CHILDREN, start)
		b.ReportMetric(float64(len(data)), "restore-bytes")
	})
	b.Run(fmt.Sprintf("incremental-on-%dx%d", n, benchEndpoints), func(b *testing.B) {
		restore(b, full.Render(nil, nil)) // whatever the full round left
		// Alternate between the two states so every round changes
		// something.
		plus := Build(withOneMoreEndpoint(in, n/2))
		up, down := plus.Render(full, nil), full.Render(plus, nil)
		i := 0
		start := cpuTime(syscall.RUSAGE_CHILDREN)
		for b.Loop() {
			data := up
			if i%2 == 1 {
				data = down
			}
			i++
			restore(b, data)
		}
		reportCPU(b, syscall.RUSAGE_CHILDREN, start)
		b.ReportMetric(float64(len(up)), "restore-bytes")
	})
}
