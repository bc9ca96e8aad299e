package prober

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func podWithIP(ip string) *v1.Pod {
	pod := &v1.Pod{}
	pod.Name, pod.Namespace, pod.UID = "p", "ns", "uid-p"
	pod.Status.PodIP = ip
	return pod
}

// statusServer answers /code/<n> with status n, redirects on /local and
// /remote, and echoes what the probe sent on /echo.
func statusServer(t *testing.T, tls bool) (*httptest.Server, int) {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/code/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		w.WriteHeader(n)
		fmt.Fprint(w, "body")
	})
	mux.HandleFunc("/local", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/code/200", http.StatusFound)
	})
	mux.HandleFunc("/local-fail", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/code/503", http.StatusFound)
	})
	mux.HandleFunc("/remote", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.2:1/code/500", http.StatusFound)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("User-Agent") != "kube-probe/1.37" || r.Header.Get("X-Custom") != "yes" || r.Host != "example.test" || r.Header.Get("Accept") != "*/*" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(mux)
	srv.Listener.Close()
	srv.Listener = l
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, l.Addr().(*net.TCPAddr).Port
}

func TestHTTPProbe(t *testing.T) {
	_, port := statusServer(t, false)
	_, tlsPort := statusServer(t, true)
	c := &v1.Container{Name: "c", Ports: []v1.ContainerPort{{Name: "web", ContainerPort: int32(port)}}}
	pod := podWithIP("127.0.0.1")
	tests := []struct {
		name    string
		action  v1.HTTPGetAction
		want    Result
		wantMsg string
	}{
		{name: "200", action: v1.HTTPGetAction{Path: "/code/200", Port: intstr.FromInt(port)}, want: Success, wantMsg: "body"},
		{name: "399", action: v1.HTTPGetAction{Path: "/code/399", Port: intstr.FromInt(port)}, want: Success},
		{name: "500", action: v1.HTTPGetAction{Path: "/code/500", Port: intstr.FromInt(port)}, want: Failure, wantMsg: "HTTP probe failed with statuscode: 500"},
		{name: "404", action: v1.HTTPGetAction{Path: "/code/404", Port: intstr.FromInt(port)}, want: Failure, wantMsg: "HTTP probe failed with statuscode: 404"},
		{name: "named port", action: v1.HTTPGetAction{Path: "/code/204", Port: intstr.FromString("web")}, want: Success},
		{name: "unknown named port", action: v1.HTTPGetAction{Path: "/", Port: intstr.FromString("nope")}, want: Unknown, wantMsg: `port "nope" not found`},
		{name: "explicit host", action: v1.HTTPGetAction{Host: "127.0.0.1", Path: "/code/200", Port: intstr.FromInt(port)}, want: Success},
		{name: "same-host redirect followed", action: v1.HTTPGetAction{Path: "/local", Port: intstr.FromInt(port)}, want: Success, wantMsg: "body"},
		{name: "same-host redirect to failure", action: v1.HTTPGetAction{Path: "/local-fail", Port: intstr.FromInt(port)}, want: Failure, wantMsg: "statuscode: 503"},
		{name: "other-host redirect not followed", action: v1.HTTPGetAction{Path: "/remote", Port: intstr.FromInt(port)}, want: Success, wantMsg: "Probe terminated redirects"},
		{name: "headers and user agent", action: v1.HTTPGetAction{Path: "/echo", Port: intstr.FromInt(port), HTTPHeaders: []v1.HTTPHeader{{Name: "X-Custom", Value: "yes"}, {Name: "Host", Value: "example.test"}}}, want: Success},
		{name: "https without verification", action: v1.HTTPGetAction{Scheme: v1.URISchemeHTTPS, Path: "/code/200", Port: intstr.FromInt(tlsPort)}, want: Success},
		{name: "connection refused", action: v1.HTTPGetAction{Path: "/", Port: intstr.FromInt(closedPort(t))}, want: Failure, wantMsg: "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &v1.Probe{ProbeHandler: v1.ProbeHandler{HTTPGet: &tt.action}, TimeoutSeconds: 2}
			got, msg := Probe(t.Context(), p, pod, c, "cid", nil)
			if got != tt.want || !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("got %v %q, want %v containing %q", got, msg, tt.want, tt.wantMsg)
			}
		})
	}
}

// closedPort is a port on 127.0.0.1 nobody listens on.
func closedPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func TestTCPProbe(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	open := l.Addr().(*net.TCPAddr).Port
	pod := podWithIP("127.0.0.1")
	c := &v1.Container{Name: "c", Ports: []v1.ContainerPort{{Name: "svc", ContainerPort: int32(open)}}}
	for _, tt := range []struct {
		name string
		port intstr.IntOrString
		want Result
	}{
		{"open", intstr.FromInt(open), Success},
		{"named", intstr.FromString("svc"), Success},
		{"closed", intstr.FromInt(closedPort(t)), Failure},
		{"bad port", intstr.FromInt(0), Unknown},
	} {
		p := &v1.Probe{ProbeHandler: v1.ProbeHandler{TCPSocket: &v1.TCPSocketAction{Port: tt.port}}}
		if got, msg := Probe(t.Context(), p, pod, c, "cid", nil); got != tt.want {
			t.Errorf("%s: %v %q, want %v", tt.name, got, msg, tt.want)
		}
	}
}

func TestExecProbe(t *testing.T) {
	rt := newFakeRuntime()
	rt.exits["fail"] = 1
	rt.out["fail"] = "not healthy"
	rt.out["ok"] = "fine"
	rt.err["slow"] = fmt.Errorf("command timed out: %w", context.DeadlineExceeded)
	rt.err["broken"] = errors.New("container not found")
	tests := []struct {
		cmd     string
		want    Result
		wantMsg string
	}{
		{"ok", Success, "fine"},
		{"fail", Failure, "not healthy"},
		{"slow", Failure, `command "slow x" timed out`},
		{"broken", Unknown, "container not found"},
	}
	for _, tt := range tests {
		p := &v1.Probe{ProbeHandler: v1.ProbeHandler{Exec: &v1.ExecAction{Command: []string{tt.cmd, "x"}}}, TimeoutSeconds: 5}
		got, msg := Probe(t.Context(), p, podWithIP(""), &v1.Container{Name: "c"}, "cid-1", rt)
		if got != tt.want || !strings.Contains(msg, tt.wantMsg) {
			t.Errorf("%s: %v %q, want %v %q", tt.cmd, got, msg, tt.want, tt.wantMsg)
		}
	}
	calls := rt.callsOf("ok")
	if len(calls) != 1 || calls[0].containerID != "cid-1" || calls[0].timeout != 5*time.Second {
		t.Errorf("exec call = %+v, want container cid-1 timeout 5s", calls)
	}
}

func TestGRPCProbe(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	hs := health.NewServer()
	hs.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	hs.SetServingStatus("down", healthpb.HealthCheckResponse_NOT_SERVING)
	healthpb.RegisterHealthServer(srv, hs)
	go srv.Serve(l)
	defer srv.Stop()

	bare, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	noHealth := grpc.NewServer()
	go noHealth.Serve(bare)
	defer noHealth.Stop()

	port := int32(l.Addr().(*net.TCPAddr).Port)
	str := func(s string) *string { return &s }
	tests := []struct {
		name    string
		action  v1.GRPCAction
		want    Result
		wantMsg string
	}{
		{"serving", v1.GRPCAction{Port: port}, Success, "service healthy"},
		{"not serving", v1.GRPCAction{Port: port, Service: str("down")}, Failure, `service unhealthy (responded with "NOT_SERVING")`},
		{"unknown service", v1.GRPCAction{Port: port, Service: str("nope")}, Failure, "error: health rpc probe failed"},
		{"no health service", v1.GRPCAction{Port: int32(bare.Addr().(*net.TCPAddr).Port)}, Failure, "does not implement the grpc health protocol"},
		{"nothing listening", v1.GRPCAction{Port: int32(closedPort(t))}, Failure, "error:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &v1.Probe{ProbeHandler: v1.ProbeHandler{GRPC: &tt.action}, TimeoutSeconds: 2}
			got, msg := Probe(t.Context(), p, podWithIP("127.0.0.1"), &v1.Container{Name: "c"}, "cid", nil)
			if got != tt.want || !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("got %v %q, want %v containing %q", got, msg, tt.want, tt.wantMsg)
			}
		})
	}
}

func TestProbeWithoutHandler(t *testing.T) {
	if got, _ := Probe(t.Context(), &v1.Probe{}, podWithIP(""), &v1.Container{}, "", nil); got != Unknown {
		t.Errorf("empty probe = %v", got)
	}
}
