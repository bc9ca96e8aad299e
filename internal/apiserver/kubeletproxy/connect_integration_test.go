package kubeletproxy_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/remotecommand"
	statsv1alpha1 "k8s.io/kubelet/pkg/apis/stats/v1alpha1"

	"github.com/hanok-dev/hanok/internal/testserver"
)

// execURL is pods/exec of pod with cmd, stdin and stdout.
func execURL(c *cluster, pod string, cmd ...string) *url.URL {
	return c.s.Client().CoreV1().RESTClient().Post().Namespace(c.ns).Resource("pods").Name(pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{Command: cmd, Stdin: true, Stdout: true}, scheme.ParameterCodec).URL()
}

// TestExecBothWays: an exec reaches the kubelet and bytes flow both ways,
// over SPDY (relayed) and over WebSockets v5 (translated to SPDY towards
// the kubelet, as upstream), which is what kubectl tries first.
func TestExecBothWays(t *testing.T) {
	c := newCluster(t)
	c.pod(t, "web", true, "app")
	cfg := c.s.RESTConfig()
	u := execURL(c, "web", "cat")
	spdy, err := remotecommand.NewSPDYExecutor(cfg, "POST", u)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := remotecommand.NewWebSocketExecutor(cfg, "GET", u.String())
	if err != nil {
		t.Fatal(err)
	}
	for name, exec := range map[string]remotecommand.Executor{"spdy": spdy, "websocket": ws} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			in := "hello through " + name + "\n"
			err := exec.StreamWithContext(testserver.Context(t), remotecommand.StreamOptions{Stdin: strings.NewReader(in), Stdout: &out})
			if err != nil {
				t.Fatalf("exec: %v", err)
			}
			if out.String() != in {
				t.Errorf("stdout %q, want %q echoed by the kubelet", out.String(), in)
			}
		})
	}
}

// TestAttach: an attach reaches the container's streams through the
// kubelet.
func TestAttach(t *testing.T) {
	c := newCluster(t)
	c.pod(t, "web", true, "app")
	u := c.s.Client().CoreV1().RESTClient().Post().Namespace(c.ns).Resource("pods").Name("web").SubResource("attach").
		VersionedParams(&corev1.PodAttachOptions{Stdin: true, Stdout: true}, scheme.ParameterCodec).URL()
	exec, err := remotecommand.NewSPDYExecutor(c.s.RESTConfig(), "POST", u)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := exec.StreamWithContext(testserver.Context(t), remotecommand.StreamOptions{Stdin: strings.NewReader("attached\n"), Stdout: &out}); err != nil {
		t.Fatalf("attach: %v", err)
	}
	if out.String() != "attached\n" {
		t.Errorf("stdout %q", out.String())
	}
	if !slices.ContainsFunc(c.kubelet.Requests(), func(r string) bool { return strings.HasPrefix(r, "/attach/"+c.ns+"/web/app?") }) {
		t.Errorf("kubelet requests %v", c.kubelet.Requests())
	}
}

// TestExecRefusals: what is refused before any kubelet is dialled.
func TestExecRefusals(t *testing.T) {
	c := newCluster(t)
	c.pod(t, "two", true, "a", "b")
	c.pod(t, "pending", false, "app")
	ctx := testserver.Context(t)
	tests := []struct {
		name    string
		req     *rest.Request
		code    int32
		message string
	}{
		{"no upgrade", c.s.Client().CoreV1().RESTClient().Post().Namespace(c.ns).Resource("pods").Name("two").SubResource("exec").Param("container", "a").Param("command", "ls"),
			400, "Upgrade request required"},
		{"container required", c.s.Client().CoreV1().RESTClient().Post().Namespace(c.ns).Resource("pods").Name("two").SubResource("exec").Param("command", "ls"),
			400, "a container name must be specified for pod two, choose one of: [a b]"},
		{"not scheduled", c.s.Client().CoreV1().RESTClient().Post().Namespace(c.ns).Resource("pods").Name("pending").SubResource("attach"),
			400, "pod pending does not have a host assigned"},
		{"exec is not a PUT", c.s.Client().CoreV1().RESTClient().Put().Namespace(c.ns).Resource("pods").Name("two").SubResource("exec"),
			405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.req.Do(ctx).Error()
			var status apierrors.APIStatus
			if !errors.As(err, &status) || status.Status().Code != tt.code || !strings.Contains(status.Status().Message, tt.message) {
				t.Fatalf("got %v, want %d %q", err, tt.code, tt.message)
			}
		})
	}
}

// TestNodeProxy: nodes/proxy reaches the kubelet's own endpoints.
func TestNodeProxy(t *testing.T) {
	c := newCluster(t)
	c.kubelet.Summary = fakeSummary(c.node)
	raw, err := c.s.Client().CoreV1().RESTClient().Get().AbsPath("/api/v1/nodes/" + c.node + "/proxy/stats/summary").DoRaw(testserver.Context(t))
	if err != nil {
		t.Fatalf("nodes/proxy: %v", err)
	}
	got := &statsv1alpha1.Summary{}
	if err := json.Unmarshal(raw, got); err != nil || got.Node.NodeName != c.node || *got.Node.CPU.UsageNanoCores != 250_000_000 {
		t.Fatalf("summary through the proxy: %v %s", err, raw)
	}
	body, err := c.s.Client().CoreV1().RESTClient().Get().AbsPath("/api/v1/nodes/" + c.node + "/proxy/healthz").DoRaw(testserver.Context(t))
	if err != nil || string(body) != "ok" {
		t.Errorf("healthz through the proxy: %q %v", body, err)
	}
	err = c.s.Client().CoreV1().RESTClient().Get().AbsPath("/api/v1/nodes/ghost/proxy/healthz").Do(testserver.Context(t)).Error()
	if !apierrors.IsNotFound(err) {
		t.Errorf("proxy to a missing node: %v, want 404", err)
	}
}

// TestProxyRBAC: a namespace viewer reads logs but may not exec (not even
// over a WebSocket GET, which also needs create) nor reach nodes.
func TestProxyRBAC(t *testing.T) {
	c := newCluster(t)
	c.pod(t, "web", true, "app")
	ctx := testserver.Context(t)
	viewer := "viewer-" + c.ns
	binding := &rbacBinding{ns: c.ns, user: viewer, role: "view"}
	binding.create(t, c)

	cfg := c.s.RESTConfigFor(t, viewer)
	client := c.s.ClientFor(t, viewer)
	waitAllowed(t, func() error {
		_, err := client.CoreV1().Pods(c.ns).GetLogs("web", &corev1.PodLogOptions{}).DoRaw(ctx)
		return err
	})
	spdy, err := remotecommand.NewSPDYExecutor(cfg, "POST", execURL(c, "web", "cat"))
	if err != nil {
		t.Fatal(err)
	}
	err = spdy.StreamWithContext(ctx, remotecommand.StreamOptions{Stdin: strings.NewReader("x"), Stdout: &bytes.Buffer{}})
	if err == nil || !strings.Contains(err.Error(), "forbidden") {
		t.Errorf("viewer's SPDY exec: %v, want forbidden", err)
	}
	ws, err := remotecommand.NewWebSocketExecutor(cfg, "GET", execURL(c, "web", "cat").String())
	if err != nil {
		t.Fatal(err)
	}
	err = ws.StreamWithContext(ctx, remotecommand.StreamOptions{Stdin: strings.NewReader("x"), Stdout: &bytes.Buffer{}})
	if err == nil || !strings.Contains(err.Error(), "403") && !strings.Contains(err.Error(), "forbidden") {
		t.Errorf("viewer's WebSocket exec: %v, want 403", err)
	}
	err = client.CoreV1().RESTClient().Get().AbsPath("/api/v1/nodes/" + c.node + "/proxy/healthz").Do(ctx).Error()
	if !apierrors.IsForbidden(err) {
		t.Errorf("viewer's nodes/proxy: %v, want 403", err)
	}
}

func fakeSummary(node string) *statsv1alpha1.Summary {
	u := func(v uint64) *uint64 { return &v }
	now := metav1.NewTime(time.Now().Truncate(time.Second))
	return &statsv1alpha1.Summary{Node: statsv1alpha1.NodeStats{
		NodeName: node,
		CPU:      &statsv1alpha1.CPUStats{Time: now, UsageNanoCores: u(250_000_000)},
		Memory:   &statsv1alpha1.MemoryStats{Time: now, WorkingSetBytes: u(512 << 20)},
	}}
}
