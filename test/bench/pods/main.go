// Command pods times pod start-up on any cluster and, when the cluster's
// processes run on this host, measures their memory and CPU.
//
//	go run ./test/bench/pods --kubeconfig K --image IMG [--count 30]
//	    [--idle-pods 100] [--proc-match /var/lib/hanok]
//
// It creates pods (one after another, then all at once) in a namespace of
// its own, times create -> Running from a watch, and prints p50/p99. With
// --proc-match it sums the proportional set size (PSS) of every process
// whose command line or cgroup names the given string, idle and with the
// pods running, so any distribution can be measured the same way (for
// upstream: the kubelet, containerd and control-plane binaries' paths).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the cluster to time")
	image := flag.String("image", "", "image the pods run (must be present on the node or pullable)")
	count := flag.Int("count", 30, "pods per start-up run")
	idlePods := flag.Int("idle-pods", 0, "also run this many pods and measure the cluster's CPU while idle")
	procMatch := flag.String("proc-match", "", "measure PSS/CPU of processes whose cmdline or cgroup contains any of these (comma-separated)")
	command := flag.String("command", "", "command the pods run, space-separated (default: the image's own)")
	flag.Parse()
	if *kubeconfig == "" || *image == "" {
		fmt.Fprintln(os.Stderr, "--kubeconfig and --image are required")
		os.Exit(2)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fail(err)
	}
	cfg.QPS, cfg.Burst = 200, 400
	client := kubernetes.NewForConfigOrDie(cfg)
	ctx := context.Background()
	ns := fmt.Sprintf("bench-pods-%d", time.Now().Unix())
	if _, err := client.CoreV1().Namespaces().Create(ctx, &v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		fail(err)
	}
	defer func() {
		_ = client.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
	}()
	waitServiceAccount(ctx, client, ns)

	if *procMatch != "" {
		settle()
		printMemory("idle", *procMatch, 0)
	}
	seq := startPods(ctx, client, ns, podSpec{*image, strings.Fields(*command)}, "seq", *count, false)
	report(fmt.Sprintf("%d pods one after another", *count), seq)
	par := startPods(ctx, client, ns, podSpec{*image, strings.Fields(*command)}, "par", *count, true)
	report(fmt.Sprintf("%d pods at once", *count), par)
	fmt.Printf("%-28s all Running after %v\n", "", par.total.Round(time.Millisecond))
	if *procMatch != "" {
		settle()
		printMemory(fmt.Sprintf("with %d pods", 2**count), *procMatch, 2**count)
	}
	if *idlePods > 0 {
		extra := *idlePods - 2**count
		if extra > 0 {
			startPods(ctx, client, ns, podSpec{*image, strings.Fields(*command)}, "idle", extra, true)
		}
		if *procMatch != "" {
			settle()
			printMemory(fmt.Sprintf("with %d pods", *idlePods), *procMatch, *idlePods)
			printCPU(*procMatch, *idlePods, 60*time.Second)
		}
	}
}

// run is one batch of pod starts.
type run struct {
	latencies []time.Duration
	total     time.Duration
}

// startPods creates n pods (waiting for each when !parallel) and records
// create -> Running for each from a watch.
// podSpec is what every bench pod runs.
type podSpec struct {
	image   string
	command []string
}

func startPods(ctx context.Context, client kubernetes.Interface, ns string, spec podSpec, prefix string, n int, parallel bool) run {
	w, err := client.CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{LabelSelector: "bench=" + prefix})
	if err != nil {
		fail(err)
	}
	defer w.Stop()
	created := map[string]time.Time{}
	running := map[string]time.Duration{}
	begin := time.Now()
	waitRunning := func(want int) {
		for len(running) < want {
			select {
			case ev := <-w.ResultChan():
				if ev.Type != watch.Added && ev.Type != watch.Modified {
					continue
				}
				pod := ev.Object.(*v1.Pod)
				if pod.Status.Phase == v1.PodRunning {
					if _, done := running[pod.Name]; !done {
						running[pod.Name] = time.Since(created[pod.Name])
					}
				}
			case <-time.After(5 * time.Minute):
				fail(fmt.Errorf("pods not Running after 5 minutes: %d of %d", len(running), want))
			}
		}
	}
	for i := range n {
		name := fmt.Sprintf("%s-%d", prefix, i)
		created[name] = time.Now()
		if _, err := client.CoreV1().Pods(ns).Create(ctx, benchPod(name, prefix, spec), metav1.CreateOptions{}); err != nil {
			fail(err)
		}
		if !parallel {
			waitRunning(i + 1)
		}
	}
	waitRunning(n)
	r := run{total: time.Since(begin)}
	for _, d := range running {
		r.latencies = append(r.latencies, d)
	}
	return r
}

func benchPod(name, prefix string, spec podSpec) *v1.Pod {
	zero := int64(0)
	return &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"bench": prefix}},
		Spec: v1.PodSpec{
			TerminationGracePeriodSeconds: &zero,
			Containers: []v1.Container{{
				Name: "c", Image: spec.image, ImagePullPolicy: v1.PullIfNotPresent,
				Command: spec.command,
				Resources: v1.ResourceRequirements{Requests: v1.ResourceList{
					v1.ResourceCPU: resource.MustParse("1m"), v1.ResourceMemory: resource.MustParse("1Mi")}},
			}},
		},
	}
}

func report(what string, r run) {
	sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
	pct := func(p float64) time.Duration {
		if len(r.latencies) == 0 {
			return 0
		}
		return r.latencies[min(len(r.latencies)-1, int(p*float64(len(r.latencies))))].Round(time.Millisecond)
	}
	fmt.Printf("%-28s create->Running p50 %v  p99 %v  max %v\n", what, pct(0.5), pct(0.99), pct(1))
}

// waitServiceAccount waits for the namespace's default ServiceAccount,
// which admission needs before it admits pods.
func waitServiceAccount(ctx context.Context, client kubernetes.Interface, ns string) {
	for range 100 {
		if _, err := client.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{}); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// settle lets start-up garbage be collected before a memory reading.
func settle() { time.Sleep(15 * time.Second) }

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench pods:", err)
	os.Exit(1)
}
