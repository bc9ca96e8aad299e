// Command scheduler-bench measures a scheduler through the API, so the
// same run can time hanok's scheduler or upstream kube-scheduler against
// one API server: it creates fake nodes (no kubelets) and pods, and
// watches the pods get bound.
//
// With --scheduler=in-process (the default) it runs hanok's scheduler in
// this process under its own scheduler name, so it never competes with a
// scheduler the server runs; with --scheduler=external it only creates
// pods for --scheduler-name and waits for whoever serves that name
// (upstream kube-scheduler started against the same server, say).
// Give --kubeconfig for a running server, or leave it out to have the
// tool start HANOK_BIN (or --hanok) itself.
//
// It prints binds/s and time-to-bind percentiles; targets are read from
// the figures, never asserted.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/hanok-dev/hanok/test/bench/hanokproc"
)

func main() {
	var o options
	flag.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig of the API server (empty: start hanok)")
	flag.StringVar(&o.hanok, "hanok", os.Getenv("HANOK_BIN"), "hanok binary to start when no --kubeconfig is given")
	flag.IntVar(&o.nodes, "nodes", 100, "fake nodes to create")
	flag.IntVar(&o.pods, "pods", 1000, "pods to create")
	flag.StringVar(&o.mode, "mode", "plain", "pod shape: plain, anti-affinity (required, by hostname) or spread (zone DoNotSchedule + hostname ScheduleAnyway)")
	flag.StringVar(&o.scheduler, "scheduler", "in-process", "in-process (hanok's, run here) or external (already running)")
	flag.StringVar(&o.schedulerName, "scheduler-name", "", "spec.schedulerName of the pods (default: hanok-bench for in-process, default-scheduler for external)")
	flag.BoolVar(&o.precreate, "precreate", false, "in-process only: create all pods before starting the scheduler, to time scheduling alone")
	flag.IntVar(&o.workers, "workers", 16, "concurrent pod creators")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write this process's CPU profile (the in-process scheduler's) from scheduler start to the last bind")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up waiting for binds after this")
	flag.Parse()
	if o.schedulerName == "" {
		o.schedulerName = "hanok-bench"
		if o.scheduler == "external" {
			o.schedulerName = "default-scheduler"
		}
	}
	if o.scheduler != "in-process" && o.scheduler != "external" {
		fail("--scheduler must be in-process or external")
	}
	if o.precreate && o.scheduler != "in-process" {
		fail("--precreate needs --scheduler=in-process")
	}

	if o.kubeconfig == "" {
		if o.hanok == "" {
			fail("give --kubeconfig, or --hanok / HANOK_BIN to start hanok")
		}
		h, err := hanokproc.Start(o.hanok)
		if err != nil {
			if h != nil {
				h.Close()
			}
			fail(err.Error())
		}
		defer h.Close()
		fmt.Printf("hanok started in %v\n", h.FirstStart.Round(time.Millisecond))
		o.kubeconfig = h.Kubeconfig
		defer func() { fmt.Printf("hanok RSS after the run: %.1f MB\n", h.RSSMB()) }()
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", o.kubeconfig)
	if err != nil {
		fail(err.Error())
	}
	cfg.QPS, cfg.Burst = -1, 0
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	o.restConfig = cfg
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		fail(err.Error())
	}
	if err := run(context.Background(), cs, o); err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "scheduler-bench:", msg)
	os.Exit(1)
}
