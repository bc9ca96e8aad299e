// Command apiserver-bench measures an API server through its public API, so
// the same run can time hanok or upstream kube-apiserver: give --kubeconfig
// for any running server, or leave it out to have the tool start
// HANOK_BIN (or --hanok) itself, which adds start-up time and memory.
//
// It prints one line per figure; targets are read from the figures, never
// asserted.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/hanok-dev/hanok/test/bench/hanokproc"
)

func main() {
	var (
		kubeconfig = flag.String("kubeconfig", "", "kubeconfig of the server to measure (empty: start hanok)")
		hanok      = flag.String("hanok", os.Getenv("HANOK_BIN"), "hanok binary to start when no --kubeconfig is given")
		workers    = flag.Int("workers", 8, "concurrent clients for the create benchmarks")
		creates    = flag.Int("creates", 2000, "objects created per create benchmark")
		listPods   = flag.Int("list-pods", 10000, "pods in the LIST benchmark")
		watchers   = flag.Int("watchers", 100, "watchers in the fan-out benchmark")
		updates    = flag.Int("updates", 1000, "pod updates in the fan-out benchmark")
		starts     = flag.Int("starts", 5, "start-up measurements (hanok only)")
		contentTy  = flag.String("content-type", "application/vnd.kubernetes.protobuf", "wire format of the client")
		only       = flag.String("only", "", "run only these benchmarks (comma-separated: creates,list,watch)")
		namespace  = flag.String("namespace", "", "use this existing namespace (default: a new one, deleted after)")
	)
	flag.Parse()
	ctx := context.Background()

	var h *hanokproc.Process
	if *kubeconfig == "" {
		if *hanok == "" {
			fail("give --kubeconfig, or --hanok / HANOK_BIN to start hanok")
		}
		var err error
		h, err = hanokproc.Start(*hanok)
		if err != nil {
			if h != nil {
				h.Close()
			}
			fail(err.Error())
		}
		defer h.Close()
		fmt.Printf("start to /readyz (fresh data dir): %v\n", h.FirstStart.Round(time.Millisecond))
		if err := measureRestarts(h, *starts); err != nil {
			fail(err.Error())
		}
		time.Sleep(3 * time.Second)
		fmt.Printf("idle RSS (control plane, no agent): %.1f MB\n", h.RSSMB())
		*kubeconfig = h.Kubeconfig
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fail(err.Error())
	}
	cfg.QPS, cfg.Burst = 100000, 100000
	cfg.ContentType = *contentTy
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		fail(err.Error())
	}
	ns := *namespace
	if ns == "" {
		ns = fmt.Sprintf("bench-%d", time.Now().Unix())
		if err := createNamespace(ctx, cs, ns); err != nil {
			fail(err.Error())
		}
		defer func() { _ = cs.CoreV1().Namespaces().Delete(ctx, ns, deleteNow) }()
	}
	run := func(group, name string, f func() error) {
		if *only != "" && !strings.Contains(","+*only+",", ","+group+",") {
			return
		}
		if err := f(); err != nil {
			fmt.Printf("%s: FAILED: %v\n", name, err)
		}
	}
	run("creates", "configmap creates", func() error { return benchCreates(ctx, cs, ns, "configmaps", *creates, *workers) })
	run("creates", "pod creates", func() error { return benchCreates(ctx, cs, ns, "pods", *creates, *workers) })
	run("list", "list pods", func() error { return benchList(ctx, cs, ns, *listPods, *creates, *workers) })
	run("watch", "watch fan-out", func() error { return benchWatch(ctx, cs, ns, *watchers, *updates, *workers) })
	if h != nil {
		fmt.Printf("RSS after the benchmarks: %.1f MB\n", h.RSSMB())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "apiserver-bench:", msg)
	os.Exit(1)
}
