package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hanok-dev/hanok/internal/imagebuild"
)

// payload is what each throughput run transfers.
const payload = 1 << 30

// TestMultiNodeThroughput is a benchmark, run by `make bench` (it sets
// HANOK_BENCH_NET): pod-to-pod TCP throughput across nodes on each
// backend, against the same transfer between the node namespaces over the
// plain test switch. It prints figures and asserts none.
func TestMultiNodeThroughput(t *testing.T) {
	if os.Getenv("HANOK_BENCH_NET") == "" {
		t.Skip("a benchmark: make bench runs it (HANOK_BENCH_NET=1)")
	}
	for _, backend := range []string{"host-gw", "vxlan"} {
		t.Run(backend, func(t *testing.T) {
			srv, agents := startMultiNode(t, backend)
			ns := "e2e-tput"
			srv.mustKubectl("create", "namespace", ns)
			waitForDefaultServiceAccount(t, srv, ns)
			srv.mustKubectlIn(fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: sink}
spec:
  nodeName: %s
  containers: [{name: c, image: %s}]
---
apiVersion: v1
kind: Pod
metadata: {name: source}
spec:
  nodeName: %s
  containers: [{name: c, image: %s, command: [sleep, "600"]}]
`, agents[1].nodeName, webImage, agents[0].nodeName, busyboxImage), "-n", ns, "apply", "-f", "-")
			srv.waitPodField(ns, "sink", "{.status.phase}", "Running", 90*time.Second)
			srv.waitPodField(ns, "source", "{.status.phase}", "Running", 90*time.Second)
			ip := srv.jsonpath("pod/sink", "{.status.podIP}", "-n", ns)
			out, _ := srv.kubectl("-n", ns, "exec", "source", "--", "sh", "-c",
				fmt.Sprintf("time wget -qO /dev/null 'http://%s:8080/bytes?n=%d' 2>&1", ip, payload))
			podSecs := busyboxRealSeconds(t, out)

			// The same transfer between the two agents' namespaces over
			// the test switch, with the same server binary and client.
			bin := filepath.Join(t.TempDir(), "web")
			prog, err := imagebuild.BuildGo(context.Background(), "", "./testdata/web")
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(bin, prog, 0o755); err != nil {
				t.Fatal(err)
			}
			sink := exec.Command("ip", "netns", "exec", agents[1].host.name, bin)
			sink.Env = append(os.Environ(), "LISTEN="+agents[1].host.nodeIP.String()+":18080")
			if err := sink.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = sink.Process.Signal(syscall.SIGKILL); _ = sink.Wait() }()
			time.Sleep(500 * time.Millisecond)
			raw, _ := exec.Command("ip", "netns", "exec", agents[0].host.name, "busybox", "sh", "-c",
				fmt.Sprintf("time busybox wget -qO /dev/null 'http://%s:18080/bytes?n=%d' 2>&1", agents[1].host.nodeIP, payload)).CombinedOutput()
			hostSecs := busyboxRealSeconds(t, string(raw))
			gbps := func(s float64) float64 { return float64(payload) * 8 / s / 1e9 }
			fmt.Printf("throughput %-8s pod->pod across nodes %.2f Gbit/s (%.2fs); node->node on the test switch %.2f Gbit/s (%.2fs)\n",
				backend, gbps(podSecs), podSecs, gbps(hostSecs), hostSecs)
		})
	}
}

var realTime = regexp.MustCompile(`real\s+(\d+)m\s*([\d.]+)s`)

// busyboxRealSeconds reads busybox time's "real 0m 1.23s".
func busyboxRealSeconds(t *testing.T, out string) float64 {
	t.Helper()
	m := realTime.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no timing in %q", strings.TrimSpace(out))
	}
	min, _ := strconv.Atoi(m[1])
	sec, _ := strconv.ParseFloat(m[2], 64)
	return float64(min)*60 + sec
}
