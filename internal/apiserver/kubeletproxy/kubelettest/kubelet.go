// Package kubelettest is a fake kubelet for tests of what the API server
// serves from kubelets (logs, exec, node proxy, resource metrics): an
// HTTPS server on 127.0.0.1 with a serving certificate from the test
// server's CA, that requires the API server's kubelet-client certificate
// (CN system:kube-apiserver) exactly as a real kubelet requires a client
// certificate, and answers a few kubelet endpoints with canned data.
package kubelettest

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cri-streaming/pkg/streaming/portforward"
	"k8s.io/cri-streaming/pkg/streaming/remotecommand"
	statsv1alpha1 "k8s.io/kubelet/pkg/apis/stats/v1alpha1"

	"github.com/hanok-dev/hanok/internal/pki"
)

// Kubelet is a running fake kubelet.
type Kubelet struct {
	// Port is what the Node's daemonEndpoints must say.
	Port int32
	// Summary is served at /stats/summary (set it before requests come).
	Summary *statsv1alpha1.Summary

	srv      *httptest.Server
	mu       sync.Mutex
	requests []string
	release  chan struct{}
	once     sync.Once
}

// WaitingContainer is the container name whose logs the fake refuses as
// a kubelet does for a container that has not started.
const WaitingContainer = "waiting"

// LogLines are what /containerLogs writes first, one flush each.
var LogLines = []string{"line 1", "line 2", "line 3"}

// FollowLine is written to a follow=true log stream after Release.
const FollowLine = "line 4"

// Start runs a fake kubelet for node nodeName, trusted by b's server CA
// and trusting b's client CA, stopped when the test ends.
func Start(t testing.TB, b *pki.Bundle, nodeName string) *Kubelet {
	t.Helper()
	certPEM, keyPEM, err := b.IssueKubeletServing(nodeName, []net.IP{net.IPv4(127, 0, 0, 1)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	k := &Kubelet{release: make(chan struct{})}
	k.srv = httptest.NewUnstartedServer(http.HandlerFunc(k.serve))
	k.srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: b.ClientCA.Pool, ClientAuth: tls.RequireAndVerifyClientCert}
	k.srv.StartTLS()
	t.Cleanup(func() {
		k.Release()
		k.srv.CloseClientConnections()
		k.srv.Close()
	})
	k.Port = int32(k.srv.Listener.Addr().(*net.TCPAddr).Port)
	return k
}

// resources are the fake node's capacity: 2 CPUs, 4Gi, 110 pods.
var resources = corev1.ResourceList{
	corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("4Gi"), corev1.ResourcePods: resource.MustParse("110"),
}

// Node is a Ready Node object pointing at this kubelet.
func (k *Kubelet) Node(name string) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"kubernetes.io/hostname": name}},
		Status: corev1.NodeStatus{
			Addresses:       []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "127.0.0.1"}, {Type: corev1.NodeHostName, Address: name}},
			DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: k.Port}},
			Conditions:      []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady"}},
			Capacity:        resources,
			Allocatable:     resources,
		},
	}
}

// Release ends the wait of follow=true log streams.
func (k *Kubelet) Release() { k.once.Do(func() { close(k.release) }) }

// Requests are the request URIs served so far.
func (k *Kubelet) Requests() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.requests...)
}

func (k *Kubelet) serve(w http.ResponseWriter, r *http.Request) {
	if len(r.TLS.PeerCertificates) == 0 || r.TLS.PeerCertificates[0].Subject.CommonName != pki.KubeAPIServerUser {
		http.Error(w, "Forbidden (not the API server)", http.StatusForbidden)
		return
	}
	k.mu.Lock()
	k.requests = append(k.requests, r.URL.RequestURI())
	k.mu.Unlock()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case parts[0] == "containerLogs" && len(parts) == 4:
		k.serveLogs(w, r, parts[2], parts[3])
	case parts[0] == "exec" && len(parts) == 4:
		opts, err := remotecommand.NewOptions(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		remotecommand.ServeExec(w, r, echo{}, parts[2], "", parts[3], r.URL.Query()["command"], opts,
			time.Minute, 30*time.Second, remotecommand.SupportedStreamingProtocols)
	case parts[0] == "attach" && len(parts) == 4:
		opts, err := remotecommand.NewOptions(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		remotecommand.ServeAttach(w, r, echo{}, parts[2], "", parts[3], opts, time.Minute, 30*time.Second, remotecommand.SupportedStreamingProtocols)
	case parts[0] == "portForward" && len(parts) == 3:
		opts, err := portforward.NewV4Options(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		portforward.ServePortForward(w, r, echo{}, parts[2], "", opts, time.Minute, 30*time.Second, portforward.SupportedProtocols)
	case r.URL.Path == "/stats/summary":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(k.Summary)
	case r.URL.Path == "/healthz":
		_, _ = io.WriteString(w, "ok")
	default:
		http.NotFound(w, r)
	}
}

// serveLogs writes LogLines, flushing each, then with follow waits for
// Release and writes FollowLine: a client that reads the first lines
// before Release has seen them streamed, not buffered.
func (k *Kubelet) serveLogs(w http.ResponseWriter, r *http.Request, pod, container string) {
	if container == WaitingContainer {
		http.Error(w, fmt.Sprintf("container %q in pod %q is waiting to start: ContainerCreating", container, pod), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	flusher := w.(http.Flusher)
	for _, l := range LogLines {
		_, _ = io.WriteString(w, l+"\n")
		flusher.Flush()
	}
	if r.URL.Query().Get("follow") != "true" {
		return
	}
	select {
	case <-k.release:
		_, _ = io.WriteString(w, FollowLine+"\n")
	case <-r.Context().Done():
	}
}

// echo is the fake's container runtime: "cat" copies stdin to stdout,
// anything else writes its command line to stdout; every port of a pod
// echoes what it is sent, prefixed with the port; attaching to a
// container echoes stdin like "cat".
type echo struct{}

func (echo) ExecInContainer(_ context.Context, _, _, _ string, cmd []string, in io.Reader, out, _ io.WriteCloser, _ bool, _ <-chan remotecommand.TerminalSize, _ time.Duration) error {
	if len(cmd) == 1 && cmd[0] == "cat" && in != nil {
		_, err := io.Copy(out, in)
		return err
	}
	_, err := io.WriteString(out, strings.Join(cmd, " ")+"\n")
	return err
}

func (echo) PortForward(_ context.Context, _, _ string, port int32, stream io.ReadWriteCloser) error {
	defer stream.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := stream.Read(buf)
		if n > 0 {
			if _, werr := fmt.Fprintf(stream, "%d:%s", port, buf[:n]); werr != nil {
				return werr
			}
		}
		if err != nil {
			return nil
		}
	}
}

func (e echo) AttachContainer(ctx context.Context, name, uid, container string, in io.Reader, out, errOut io.WriteCloser, tty bool, resize <-chan remotecommand.TerminalSize) error {
	return e.ExecInContainer(ctx, name, uid, container, []string{"cat"}, in, out, errOut, tty, resize, 0)
}
