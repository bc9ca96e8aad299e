package server

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	critest "k8s.io/cri-api/pkg/apis/testing"
	statsapi "k8s.io/kubelet/pkg/apis/stats/v1alpha1"

	"github.com/hanok-dev/hanok/internal/kubelet/stats"
	"github.com/hanok-dev/hanok/internal/pki"
)

const testNode = "node-a"

// fakeProvider is a kubelet with one pod "web" in "default" running
// container "app" (ID c1) in sandbox sb1.
type fakeProvider struct {
	logPath, previousLogPath string
}

func (p *fakeProvider) Pods() []*v1.Pod {
	return []*v1.Pod{{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", UID: "uid-1"},
		Status:     v1.PodStatus{Phase: v1.PodRunning},
	}}
}

func (p *fakeProvider) known(ns, pod string) error {
	if ns != "default" || pod != "web" {
		return fmt.Errorf("pod %s/%s not found", ns, pod)
	}
	return nil
}

func (p *fakeProvider) ContainerID(ns, pod, container string) (string, error) {
	if err := p.known(ns, pod); err != nil {
		return "", err
	}
	if container != "app" {
		return "", fmt.Errorf("container %q not found in pod %s/%s", container, ns, pod)
	}
	return "c1", nil
}

func (p *fakeProvider) ContainerLogPath(ns, pod, container string, previous bool) (string, error) {
	if _, err := p.ContainerID(ns, pod, container); err != nil {
		return "", err
	}
	if previous {
		return p.previousLogPath, nil
	}
	return p.logPath, nil
}

func (p *fakeProvider) PodSandboxID(ns, pod string) (string, error) {
	if err := p.known(ns, pod); err != nil {
		return "", err
	}
	return "sb1", nil
}

// streamingRuntime is the fake CRI runtime whose Exec, Attach and
// PortForward point at a fake streaming server.
type streamingRuntime struct {
	*critest.FakeRuntimeService
	streamURL string

	mu   sync.Mutex
	reqs []any
}

func (r *streamingRuntime) record(req any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, req)
}

func (r *streamingRuntime) lastRequest() any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reqs[len(r.reqs)-1]
}

func (r *streamingRuntime) Exec(_ context.Context, req *runtimeapi.ExecRequest) (*runtimeapi.ExecResponse, error) {
	r.record(req)
	return &runtimeapi.ExecResponse{Url: r.streamURL + "/exec/token1"}, nil
}

func (r *streamingRuntime) Attach(_ context.Context, req *runtimeapi.AttachRequest) (*runtimeapi.AttachResponse, error) {
	r.record(req)
	return &runtimeapi.AttachResponse{Url: r.streamURL + "/attach/token2"}, nil
}

func (r *streamingRuntime) PortForward(_ context.Context, req *runtimeapi.PortForwardRequest) (*runtimeapi.PortForwardResponse, error) {
	r.record(req)
	return &runtimeapi.PortForwardResponse{Url: r.streamURL + "/portforward/token3"}, nil
}

// upgradeEcho is a streaming server stand-in: it accepts any HTTP/1.1
// Upgrade, greets with the path it was asked for, then echoes bytes back.
func upgradeEcho(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.Header.Get("Connection"), "Upgrade") || r.Header.Get("Upgrade") == "" {
			http.Error(w, "upgrade required", http.StatusBadRequest)
			return
		}
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprintf(rw, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: %s\r\n\r\n", r.Header.Get("Upgrade"))
		fmt.Fprintf(rw, "hello %s\n", r.URL.Path)
		rw.Flush()
		buf := make([]byte, 4096)
		for {
			n, err := rw.Read(buf)
			if n > 0 {
				if _, werr := conn.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

type testEnv struct {
	url       string
	rootCAs   *x509.CertPool
	bundle    *pki.Bundle
	sarCalls  atomic.Int32
	runtime   *streamingRuntime
	provider  *fakeProvider
	logPath   string
	clientFor func(user string, groups ...string) *http.Client
}

// allowedBy is the fake API server's policy: the API server's own
// identity may do anything; "metrics-reader" only nodes/stats and
// nodes/metrics; everyone else nothing.
func allowedBy(spec authorizationv1.SubjectAccessReviewSpec) bool {
	ra := spec.ResourceAttributes
	if ra == nil || ra.Resource != "nodes" || ra.Name != testNode || ra.Version != "v1" {
		return false
	}
	switch spec.User {
	case "system:kube-apiserver":
		return true
	case "metrics-reader":
		return ra.Verb == "get" && (ra.Subresource == "stats" || ra.Subresource == "metrics")
	}
	return false
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	env := &testEnv{}
	b, err := pki.EnsureServer(pki.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	env.bundle = b
	certPEM, keyPEM, err := b.IssueServingCert("kubelet-"+testNode, []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	serving, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	clientCAs := x509.NewCertPool()
	clientCAs.AppendCertsFromPEM(b.ClientCAPEM())
	env.rootCAs = x509.NewCertPool()
	env.rootCAs.AppendCertsFromPEM(b.ServerCAPEM())

	cs := fake.NewSimpleClientset()
	cs.PrependReactor("create", "subjectaccessreviews", func(action k8stesting.Action) (bool, runtime.Object, error) {
		env.sarCalls.Add(1)
		sar := action.(k8stesting.CreateAction).GetObject().(*authorizationv1.SubjectAccessReview).DeepCopy()
		sar.Status.Allowed = allowedBy(sar.Spec)
		return true, sar, nil
	})

	env.logPath = filepath.Join(t.TempDir(), "0.log")
	if err := os.WriteFile(env.logPath, []byte("2026-01-01T00:00:01Z stdout F hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	prevPath := filepath.Join(t.TempDir(), "0.log")
	if err := os.WriteFile(prevPath, []byte("2026-01-01T00:00:00Z stderr F crashed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env.provider = &fakeProvider{logPath: env.logPath, previousLogPath: prevPath}

	fr := critest.NewFakeRuntimeService()
	fr.SetFakeSandboxes([]*critest.FakePodSandbox{{PodSandboxStatus: runtimeapi.PodSandboxStatus{
		Id: "sb1", CreatedAt: time.Unix(50, 0).UnixNano(), State: runtimeapi.PodSandboxState_SANDBOX_READY,
		Metadata: &runtimeapi.PodSandboxMetadata{Name: "web", Namespace: "default", Uid: "uid-1"}}}})
	fr.SetFakeContainers([]*critest.FakeContainer{{SandboxID: "sb1", ContainerStatus: runtimeapi.ContainerStatus{
		Id: "c1", CreatedAt: time.Unix(60, 0).UnixNano(), State: runtimeapi.ContainerState_CONTAINER_RUNNING,
		Metadata: &runtimeapi.ContainerMetadata{Name: "app"}}}})
	fr.SetFakeContainerStats([]*runtimeapi.ContainerStats{{
		Attributes: &runtimeapi.ContainerAttributes{Id: "c1", Metadata: &runtimeapi.ContainerMetadata{Name: "app"}},
		Cpu:        &runtimeapi.CpuUsage{Timestamp: time.Unix(100, 0).UnixNano(), UsageCoreNanoSeconds: &runtimeapi.UInt64Value{Value: 3e9}},
		Memory:     &runtimeapi.MemoryUsage{Timestamp: time.Unix(100, 0).UnixNano(), WorkingSetBytes: &runtimeapi.UInt64Value{Value: 4 << 20}},
	}})
	env.runtime = &streamingRuntime{FakeRuntimeService: fr, streamURL: upgradeEcho(t).URL}

	cfg := Config{
		Cert: serving, ClientCAs: clientCAs, NodeName: testNode,
		Authorizer: cs.AuthorizationV1().SubjectAccessReviews(),
		Runtime:    env.runtime, Provider: env.provider,
		Stats: stats.New(stats.Config{NodeName: testNode, Runtime: env.runtime, RootDir: t.TempDir()}),
	}
	h, err := newHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = tlsConfig(cfg)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	env.url = srv.URL

	env.clientFor = func(user string, groups ...string) *http.Client {
		tc := &tls.Config{RootCAs: env.rootCAs}
		if user != "" {
			c, k, err := b.EphemeralClientCert(user, groups)
			if err != nil {
				t.Fatal(err)
			}
			pair, err := tls.X509KeyPair(c, k)
			if err != nil {
				t.Fatal(err)
			}
			tc.Certificates = []tls.Certificate{pair}
		}
		tr := &http.Transport{TLSClientConfig: tc}
		t.Cleanup(tr.CloseIdleConnections)
		return &http.Client{Transport: tr, Timeout: 30 * time.Second}
	}
	return env
}

func get(t *testing.T, c *http.Client, method, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestAuthenticationAndAuthorization(t *testing.T) {
	env := newTestEnv(t)
	admin := env.clientFor("system:kube-apiserver", "system:masters")
	reader := env.clientFor("metrics-reader")
	jane := env.clientFor("jane", "devs")
	anon := env.clientFor("")

	tests := []struct {
		name     string
		client   *http.Client
		method   string
		path     string
		wantCode int
		wantBody string
	}{
		{"anonymous healthz", anon, "GET", "/healthz", http.StatusUnauthorized, "Unauthorized"},
		{"anonymous pods", anon, "GET", "/pods", http.StatusUnauthorized, "Unauthorized"},
		{"admin healthz", admin, "GET", "/healthz", http.StatusOK, "ok"},
		{"admin pods", admin, "GET", "/pods", http.StatusOK, `"kind":"PodList"`},
		{"reader stats", reader, "GET", "/stats/summary", http.StatusOK, `"nodeName":"node-a"`},
		{"reader resource metrics", reader, "GET", "/metrics/resource", http.StatusOK, "container_memory_working_set_bytes"},
		{"reader logs", reader, "GET", "/containerLogs/default/web/app", http.StatusForbidden,
			"Forbidden (user=metrics-reader, verb=get, resource=nodes, subresource(s)=[proxy])"},
		{"reader pods", reader, "GET", "/pods", http.StatusForbidden,
			"Forbidden (user=metrics-reader, verb=get, resource=nodes, subresource(s)=[pods proxy])"},
		{"jane exec", jane, "POST", "/exec/default/web/app?command=sh&input=1", http.StatusForbidden,
			"Forbidden (user=jane, verb=create, resource=nodes, subresource(s)=[proxy])"},
		{"admin unknown pod logs", admin, "GET", "/containerLogs/default/nope/app", http.StatusNotFound, "not found"},
		{"admin bad log options", admin, "GET", "/containerLogs/default/web/app?tailLines=-3", http.StatusBadRequest, "tailLines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := get(t, tt.client, tt.method, env.url+tt.path)
			if code != tt.wantCode || !strings.Contains(body, tt.wantBody) {
				t.Errorf("%s %s: %d %q; want %d containing %q", tt.method, tt.path, code, body, tt.wantCode, tt.wantBody)
			}
		})
	}

	// Answers are cached: asking again costs no review.
	before := env.sarCalls.Load()
	for i := 0; i < 3; i++ {
		get(t, admin, "GET", env.url+"/healthz")
		get(t, reader, "GET", env.url+"/containerLogs/default/web/app")
	}
	if after := env.sarCalls.Load(); after != before {
		t.Errorf("cached decisions cost %d more reviews", after-before)
	}
}

func TestUntrustedClientCertificateRejected(t *testing.T) {
	env := newTestEnv(t)
	other, err := pki.EnsureServer(pki.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	c, k, err := other.EphemeralClientCert("system:kube-apiserver", nil)
	if err != nil {
		t.Fatal(err)
	}
	pair, _ := tls.X509KeyPair(c, k)
	// Present the certificate even though the server's CA list does not
	// name its issuer (a TLS client would otherwise withhold it).
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: env.rootCAs,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &pair, nil }}}}
	defer client.CloseIdleConnections()
	if resp, err := client.Get(env.url + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatalf("a certificate from another CA got %d, want a failed handshake", resp.StatusCode)
	}
}

func TestSARCacheTTL(t *testing.T) {
	var calls int
	cs := fake.NewSimpleClientset()
	allow := false
	cs.PrependReactor("create", "subjectaccessreviews", func(action k8stesting.Action) (bool, runtime.Object, error) {
		calls++
		sar := action.(k8stesting.CreateAction).GetObject().(*authorizationv1.SubjectAccessReview).DeepCopy()
		sar.Status.Allowed = allow
		return true, sar, nil
	})
	a := newSARAuthorizer(cs.AuthorizationV1().SubjectAccessReviews(), testNode)
	now := time.Unix(1000, 0)
	a.now = func() time.Time { return now }
	u := requestUser{Name: "u"}
	ctx := context.Background()

	check := func(want bool, wantCalls int) {
		t.Helper()
		got, err := a.allowed(ctx, u, "get", "proxy")
		if err != nil || got != want || calls != wantCalls {
			t.Fatalf("allowed = %v (%v), calls %d; want %v, %d", got, err, calls, want, wantCalls)
		}
	}
	check(false, 1)
	allow = true
	now = now.Add(29 * time.Second)
	check(false, 1) // deny cached for 30s
	now = now.Add(2 * time.Second)
	check(true, 2) // expired: asked again
	allow = false
	now = now.Add(4 * time.Minute)
	check(true, 2) // allow cached for 5m
	now = now.Add(2 * time.Minute)
	check(false, 3)
}

func TestContainerLogsFollowThroughServer(t *testing.T) {
	oldPoll, oldCheck := followPoll, followCheck
	followPoll, followCheck = 5*time.Millisecond, 20*time.Millisecond
	t.Cleanup(func() { followPoll, followCheck = oldPoll, oldCheck })

	env := newTestEnv(t)
	admin := env.clientFor("system:kube-apiserver")

	code, body := get(t, admin, "GET", env.url+"/containerLogs/default/web/app?timestamps=true")
	if code != 200 || body != "2026-01-01T00:00:01Z hello\n" {
		t.Fatalf("logs: %d %q", code, body)
	}
	if code, body := get(t, admin, "GET", env.url+"/containerLogs/default/web/app?previous=true"); code != 200 || body != "crashed\n" {
		t.Fatalf("previous logs: %d %q", code, body)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", env.url+"/containerLogs/default/web/app?follow=true", nil)
	resp, err := admin.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got := &syncBuffer{}
	copied := make(chan struct{})
	go func() { io.Copy(got, resp.Body); close(copied) }()
	waitFor(t, got, "hello\n")
	appendTo(t, env.logPath, "2026-01-01T00:00:02Z stdout F more\n")
	waitFor(t, got, "hello\nmore\n")

	// The container exits: the runtime reports it, and the follow ends.
	env.runtime.SetFakeContainers([]*critest.FakeContainer{{SandboxID: "sb1", ContainerStatus: runtimeapi.ContainerStatus{
		Id: "c1", State: runtimeapi.ContainerState_CONTAINER_EXITED, Metadata: &runtimeapi.ContainerMetadata{Name: "app"}}}})
	appendTo(t, env.logPath, "2026-01-01T00:00:03Z stdout F last words\n")
	select {
	case <-copied:
	case <-time.After(10 * time.Second):
		t.Fatal("follow did not end when the container exited")
	}
	if got.String() != "hello\nmore\nlast words\n" {
		t.Errorf("followed %q", got.String())
	}
}

func TestStatsSummaryThroughServer(t *testing.T) {
	env := newTestEnv(t)
	code, body := get(t, env.clientFor("metrics-reader"), "GET", env.url+"/stats/summary")
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	var s statsapi.Summary
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatal(err)
	}
	if s.Node.NodeName != testNode || s.Node.CPU == nil || s.Node.Memory == nil || s.Node.Fs == nil {
		t.Errorf("node = %+v", s.Node)
	}
	if len(s.Pods) != 1 || s.Pods[0].PodRef.Name != "web" || len(s.Pods[0].Containers) != 1 {
		t.Fatalf("pods = %+v", s.Pods)
	}
	c := s.Pods[0].Containers[0]
	if c.Name != "app" || *c.CPU.UsageCoreNanoSeconds != 3e9 || *c.Memory.WorkingSetBytes != 4<<20 {
		t.Errorf("container = %+v", c)
	}

	code, body = get(t, env.clientFor("metrics-reader"), "GET", env.url+"/stats/summary?only_cpu_and_memory=true")
	if code != 200 || strings.Contains(body, `"fs"`) || !strings.Contains(body, `"workingSetBytes":4194304`) {
		t.Errorf("only_cpu_and_memory: %d %s", code, body)
	}

	_, metrics := get(t, env.clientFor("metrics-reader"), "GET", env.url+"/metrics/resource")
	for _, want := range []string{
		`container_cpu_usage_seconds_total{container="app",namespace="default",pod="web"} 3 100000`,
		`container_memory_working_set_bytes{container="app",namespace="default",pod="web"} 4.194304e+06 100000`,
		`container_start_time_seconds{container="app",namespace="default",pod="web"} 60`,
		`pod_memory_working_set_bytes{namespace="default",pod="web"} 4.194304e+06`,
		"# TYPE node_cpu_usage_seconds_total counter\nnode_cpu_usage_seconds_total ",
		"node_memory_working_set_bytes ",
		"resource_scrape_error 0",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics/resource lacks %q:\n%s", want, metrics)
		}
	}
	_, km := get(t, env.clientFor("metrics-reader"), "GET", env.url+"/metrics")
	if !strings.Contains(km, "kubelet_running_pods 1") || !strings.Contains(km, `kubelet_http_requests_total{method="GET",path="stats",server_type="readwrite"}`) {
		t.Errorf("/metrics:\n%s", km)
	}
}

// upgrade sends a raw HTTP/1.1 upgrade request over TLS as the API server's
// proxy does and returns the connection after the 101 answer.
func upgrade(t *testing.T, env *testEnv, method, path string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, k, err := env.bundle.EphemeralClientCert("system:kube-apiserver", nil)
	if err != nil {
		t.Fatal(err)
	}
	pair, _ := tls.X509KeyPair(c, k)
	conn, err := tls.Dial("tcp", strings.TrimPrefix(env.url, "https://"), &tls.Config{
		RootCAs: env.rootCAs, Certificates: []tls.Certificate{pair}, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: kubelet\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\nContent-Length: 0\r\n\r\n", method, path)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, body)
	}
	return conn, br
}

func TestStreamsAreProxiedBothWays(t *testing.T) {
	env := newTestEnv(t)
	tests := []struct {
		name, method, path, upstreamPath string
		check                            func(t *testing.T, req any)
	}{
		{"exec", "POST", "/exec/default/web/app?command=sh&command=-c&command=echo+hi&input=1&output=1&tty=1&error=1", "/exec/token1",
			func(t *testing.T, req any) {
				r := req.(*runtimeapi.ExecRequest)
				if r.ContainerId != "c1" || strings.Join(r.Cmd, " ") != "sh -c echo hi" || !r.Stdin || !r.Stdout || !r.Tty || r.Stderr {
					t.Errorf("exec request = %+v (stderr is folded into a TTY)", r)
				}
			}},
		{"exec with uid", "GET", "/exec/default/web/uid-1/app?command=ls&stdout=true", "/exec/token1",
			func(t *testing.T, req any) {
				if r := req.(*runtimeapi.ExecRequest); !r.Stdout || r.Stdin || r.Cmd[0] != "ls" {
					t.Errorf("exec request = %+v", r)
				}
			}},
		{"attach", "POST", "/attach/default/web/app?output=1&error=1", "/attach/token2",
			func(t *testing.T, req any) {
				if r := req.(*runtimeapi.AttachRequest); r.ContainerId != "c1" || !r.Stdout || !r.Stderr || r.Stdin {
					t.Errorf("attach request = %+v", r)
				}
			}},
		{"port-forward", "POST", "/portForward/default/web?port=8080&port=9090", "/portforward/token3",
			func(t *testing.T, req any) {
				if r := req.(*runtimeapi.PortForwardRequest); r.PodSandboxId != "sb1" || len(r.Port) != 2 || r.Port[0] != 8080 {
					t.Errorf("port-forward request = %+v", r)
				}
			}},
		{"port-forward with uid", "GET", "/portForward/default/web/uid-1", "/portforward/token3", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, br := upgrade(t, env, tt.method, tt.path)
			// runtime -> client
			greeting, err := br.ReadString('\n')
			if err != nil || greeting != "hello "+tt.upstreamPath+"\n" {
				t.Fatalf("greeting %q, %v", greeting, err)
			}
			// client -> runtime -> client
			for _, msg := range []string{"ping\n", strings.Repeat("z", 100000) + "\n"} {
				if _, err := io.WriteString(conn, msg); err != nil {
					t.Fatal(err)
				}
				got, err := br.ReadString('\n')
				if err != nil || got != msg {
					t.Fatalf("echo: got %d bytes (%v), want %d", len(got), err, len(msg))
				}
			}
			if tt.check != nil {
				tt.check(t, env.runtime.lastRequest())
			}
		})
	}
}

func TestStreamErrors(t *testing.T) {
	env := newTestEnv(t)
	admin := env.clientFor("system:kube-apiserver")
	tests := []struct {
		method, path string
		code         int
	}{
		{"POST", "/exec/default/web/app?command=sh", http.StatusBadRequest},                 // no stream asked for
		{"POST", "/exec/default/web/app?input=1", http.StatusBadRequest},                    // no command
		{"POST", "/exec/default/web/nope?command=sh&input=1", http.StatusNotFound},          // no such container
		{"POST", "/exec/default/web/other-uid/app?command=sh&input=1", http.StatusNotFound}, // pod replaced
		{"POST", "/portForward/default/nope", http.StatusNotFound},
		{"POST", "/portForward/default/web?port=http", http.StatusBadRequest},
		{"POST", "/exec/default/web/app?command=sh&input=1", http.StatusInternalServerError}, // not an upgrade request
	}
	for _, tt := range tests {
		if code, body := get(t, admin, tt.method, env.url+tt.path); code != tt.code {
			t.Errorf("%s %s: %d %q, want %d", tt.method, tt.path, code, body, tt.code)
		}
	}
}

func TestRun(t *testing.T) {
	env := newTestEnv(t)
	admin := env.clientFor("system:kube-apiserver")
	code, _ := get(t, admin, "POST", env.url+"/run/default/web/app?cmd=echo+hi")
	if code != http.StatusOK {
		t.Errorf("run: %d", code)
	}
	calls := env.runtime.GetCalls()
	if len(calls) == 0 || calls[len(calls)-1] != "ExecSync" {
		t.Errorf("runtime calls = %v, want ExecSync last", calls)
	}
	if code, _ := get(t, admin, "GET", env.url+"/run/default/web/app?cmd=ls"); code != http.StatusMethodNotAllowed {
		t.Errorf("GET /run: %d, want 405", code)
	}
}

func TestRunServesAndStops(t *testing.T) {
	env := newTestEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	certPEM, keyPEM, _ := env.bundle.IssueServingCert("kubelet-run", []string{"127.0.0.1"})
	serving, _ := tls.X509KeyPair(certPEM, keyPEM)
	clientCAs := x509.NewCertPool()
	clientCAs.AppendCertsFromPEM(env.bundle.ClientCAPEM())
	cs := fake.NewSimpleClientset()
	cs.PrependReactor("create", "subjectaccessreviews", func(action k8stesting.Action) (bool, runtime.Object, error) {
		sar := action.(k8stesting.CreateAction).GetObject().(*authorizationv1.SubjectAccessReview).DeepCopy()
		sar.Status.Allowed = true
		return true, sar, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{Addr: addr, Cert: serving, ClientCAs: clientCAs, NodeName: testNode,
			Authorizer: cs.AuthorizationV1().SubjectAccessReviews(), Provider: env.provider})
	}()
	client := env.clientFor("anyone")
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.Get("https://" + addr + "/healthz")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(body) != "ok" {
				t.Fatalf("healthz: %d %q", resp.StatusCode, body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after ctx ended")
	}
}
