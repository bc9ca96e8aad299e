package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/hanok-dev/hanok/internal/scheduler"
)

type options struct {
	kubeconfig, hanok    string
	nodes, pods, workers int
	mode, scheduler      string
	schedulerName        string
	precreate            bool
	cpuProfile           string
	timeout              time.Duration
	restConfig           *rest.Config
}

// run creates the nodes, then the pods, and reports how fast they bind.
func run(ctx context.Context, cs kubernetes.Interface, o options) error {
	runID := fmt.Sprintf("sb-%d", time.Now().Unix())
	ns := runID
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		return err
	}
	defer cleanup(cs, ns, runID)
	// Admission may want the default ServiceAccount before pods.
	_, _ = cs.CoreV1().ServiceAccounts(ns).Create(ctx, &v1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{})

	begin := time.Now()
	if err := createNodes(ctx, cs, runID, o.nodes, o.workers); err != nil {
		return fmt.Errorf("creating nodes: %w", err)
	}
	fmt.Printf("%d nodes created in %v\n", o.nodes, time.Since(begin).Round(time.Millisecond))

	w, err := watchBinds(ctx, cs, ns, o.pods)
	if err != nil {
		return err
	}
	defer w.stop()

	var stopScheduler func()
	var heapBefore uint64
	var cpuBefore time.Duration
	startScheduler := func() {
		heapBefore = heapInUse()
		cpuBefore = processCPU()
		if o.cpuProfile != "" {
			if f, err := os.Create(o.cpuProfile); err == nil {
				_ = pprof.StartCPUProfile(f) // stopped after the last bind; the file closes at exit
			}
		}
		sctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := scheduler.Run(sctx, scheduler.Config{RESTConfig: o.restConfig, SchedulerNames: []string{o.schedulerName}}); err != nil {
				fmt.Printf("scheduler: %v\n", err)
			}
		}()
		stopScheduler = func() { cancel(); <-done }
	}
	if o.scheduler == "in-process" && !o.precreate {
		startScheduler()
	}

	created := make([]time.Time, o.pods)
	createStart := time.Now()
	if err := createPods(ctx, cs, ns, o, created); err != nil {
		return fmt.Errorf("creating pods: %w", err)
	}
	createTook := time.Since(createStart)
	fmt.Printf("%d %s pods created in %v (%.0f/s)\n", o.pods, o.mode, createTook.Round(time.Millisecond), float64(o.pods)/createTook.Seconds())

	schedStart := createStart
	if o.precreate {
		schedStart = time.Now()
		for i := range created {
			created[i] = schedStart // time to bind counts from the scheduler's start
		}
		startScheduler()
	}
	if err := w.wait(o.timeout); err != nil {
		return err
	}
	pprof.StopCPUProfile()
	var heapAfter uint64
	var cpu time.Duration
	if stopScheduler != nil {
		cpu = processCPU() - cpuBefore
		heapAfter = heapInUse()
		defer stopScheduler()
	}
	report(o, w, created, schedStart)
	if evs, err := cs.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "reason=FailedScheduling"}); err == nil {
		fails := 0
		for _, ev := range evs.Items {
			fails += max(int(ev.Count), 1)
		}
		fmt.Printf("  FailedScheduling events: %d\n", fails)
	}
	if cpu > 0 {
		fmt.Printf("  CPU of this process (scheduler + bind watch%s): %v, %.2f ms per pod\n",
			map[bool]string{false: " + pod creators"}[o.precreate], cpu.Round(time.Millisecond), float64(cpu.Microseconds())/1000/float64(o.pods))
	}
	if heapAfter > 0 {
		fmt.Printf("heap in use (scheduler caches, informers, this tool): %.1f MB, of which %.1f MB since the scheduler started\n",
			float64(heapAfter)/(1<<20), (float64(heapAfter)-float64(heapBefore))/(1<<20))
	}
	return nil
}

// processCPU is this process's user+system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func report(o options, w *bindWatch, created []time.Time, start time.Time) {
	lat := make([]time.Duration, 0, len(created))
	var last time.Time
	for i, t := range w.boundAt() {
		if t.IsZero() {
			continue
		}
		lat = append(lat, t.Sub(created[i]))
		if t.After(last) {
			last = t
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[int(float64(len(lat)-1)*p)].Round(time.Millisecond) }
	took := last.Sub(start)
	fmt.Printf("%s scheduler %q, %d nodes, %d %s pods%s:\n", o.scheduler, o.schedulerName, o.nodes, o.pods, o.mode, map[bool]string{true: " (pre-created)"}[o.precreate])
	fmt.Printf("  bound %d pods in %v: %.0f binds/s\n", len(lat), took.Round(time.Millisecond), float64(len(lat))/took.Seconds())
	first := last
	for _, t := range w.boundAt() {
		if !t.IsZero() && t.Before(first) {
			first = t
		}
	}
	fmt.Printf("  first bind after %v; from first to last bind: %.0f binds/s\n", first.Sub(start).Round(time.Millisecond), float64(len(lat)-1)/last.Sub(first).Seconds())
	fmt.Printf("  time to bind: p50 %v, p90 %v, p99 %v, max %v\n", pct(0.50), pct(0.90), pct(0.99), pct(1))
	nodes := map[string]int{}
	for _, n := range w.nodeOf() {
		nodes[n]++
	}
	lo, hi := o.pods, 0
	for _, c := range nodes {
		lo, hi = min(lo, c), max(hi, c)
	}
	fmt.Printf("  spread: %d nodes used, %d..%d pods per node\n", len(nodes), lo, hi)
}

func cleanup(cs kubernetes.Interface, ns, runID string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	zero := int64(0)
	_ = cs.CoreV1().Pods(ns).DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &zero}, metav1.ListOptions{})
	_ = cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
	_ = cs.CoreV1().Nodes().DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: "scheduler-bench=" + runID})
}

// createNodes makes fake nodes: 32 cpus, 256Gi, 110 pods, Ready, spread
// over ten zones.
func createNodes(ctx context.Context, cs kubernetes.Interface, runID string, n, workers int) error {
	return parallel(n, workers, func(i int) error {
		name := fmt.Sprintf("%s-node-%05d", runID, i)
		node := &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
			"scheduler-bench": runID, v1.LabelHostname: name, v1.LabelTopologyZone: fmt.Sprintf("zone-%d", i%10),
		}}}
		created, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
		if err != nil {
			return err
		}
		alloc := v1.ResourceList{v1.ResourceCPU: resource.MustParse("32"), v1.ResourceMemory: resource.MustParse("256Gi"), v1.ResourcePods: resource.MustParse("110")}
		created.Status = v1.NodeStatus{Capacity: alloc, Allocatable: alloc,
			Conditions: []v1.NodeCondition{{Type: v1.NodeReady, Status: v1.ConditionTrue, LastHeartbeatTime: metav1.Now()}}}
		_, err = cs.CoreV1().Nodes().UpdateStatus(ctx, created, metav1.UpdateOptions{})
		return err
	})
}

func createPods(ctx context.Context, cs kubernetes.Interface, ns string, o options, created []time.Time) error {
	groups := 1
	if half := o.nodes / 2; half > 0 {
		groups = (o.pods + half - 1) / half // each anti-affinity group fits in half the nodes
	}
	return parallel(o.pods, o.workers, func(i int) error {
		pod := benchPod(fmt.Sprintf("pod-%06d", i), o, i%groups)
		created[i] = time.Now()
		_, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
		return err
	})
}

func benchPod(name string, o options, group int) *v1.Pod {
	g := fmt.Sprint(group)
	p := &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": "bench", "group": g}},
		Spec: v1.PodSpec{
			SchedulerName: o.schedulerName,
			Containers: []v1.Container{{Name: "app", Image: "registry.local/bench:1.0", Resources: v1.ResourceRequirements{
				Requests: v1.ResourceList{v1.ResourceCPU: resource.MustParse("100m"), v1.ResourceMemory: resource.MustParse("128Mi")}}}},
			// Fake nodes send no heartbeats: should a node controller
			// taint them, the bench must not stall.
			Tolerations: []v1.Toleration{
				{Key: v1.TaintNodeNotReady, Operator: v1.TolerationOpExists},
				{Key: v1.TaintNodeUnreachable, Operator: v1.TolerationOpExists},
			},
		},
	}
	sel := &metav1.LabelSelector{MatchLabels: map[string]string{"group": g}}
	switch o.mode {
	case "anti-affinity":
		p.Spec.Affinity = &v1.Affinity{PodAntiAffinity: &v1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []v1.PodAffinityTerm{
			{TopologyKey: v1.LabelHostname, LabelSelector: sel}}}}
	case "spread":
		p.Spec.TopologySpreadConstraints = []v1.TopologySpreadConstraint{
			{MaxSkew: 1, TopologyKey: v1.LabelTopologyZone, WhenUnsatisfiable: v1.DoNotSchedule, LabelSelector: sel},
			{MaxSkew: 1, TopologyKey: v1.LabelHostname, WhenUnsatisfiable: v1.ScheduleAnyway, LabelSelector: sel},
		}
	}
	return p
}

// parallel runs f for 0..n-1 on workers goroutines; the first error wins.
func parallel(n, workers int, f func(i int) error) error {
	var next atomic.Int64
	next.Store(-1)
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1))
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}
