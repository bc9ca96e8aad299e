package kubeletproxy

import (
	"io"
	"net/http"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func nowTime() *metav1.Time { t := metav1.Now(); return &t }

func TestContainerFor(t *testing.T) {
	pod := func(init, app, eph []string) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"}}
		for _, n := range init {
			p.Spec.InitContainers = append(p.Spec.InitContainers, corev1.Container{Name: n})
		}
		for _, n := range app {
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: n})
		}
		for _, n := range eph {
			p.Spec.EphemeralContainers = append(p.Spec.EphemeralContainers, corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: n}})
		}
		return p
	}
	annotated := pod(nil, []string{"a", "b"}, nil)
	annotated.Annotations = map[string]string{"kubectl.kubernetes.io/default-container": "b"}
	tests := []struct {
		name      string
		pod       *corev1.Pod
		requested string
		want      string
		err       string
	}{
		{"only container", pod([]string{"init"}, []string{"app"}, nil), "", "app", ""},
		{"named init", pod([]string{"init"}, []string{"app"}, nil), "init", "init", ""},
		{"named ephemeral", pod(nil, []string{"app"}, []string{"debug"}), "debug", "debug", ""},
		{"several", pod([]string{"i"}, []string{"a", "b"}, []string{"d"}), "", "", "a container name must be specified for pod p, choose one of: [i a b d]"},
		{"annotation is kubectl's business", annotated, "", "", "choose one of: [a b]"},
		{"none", pod(nil, nil, nil), "", "", "a container name must be specified for pod p"},
		{"unknown", pod(nil, []string{"a"}, nil), "z", "", "container z is not valid for pod p"},
	}
	for _, tt := range tests {
		got, err := ContainerFor(tt.pod, tt.requested)
		if tt.err != "" {
			if !apierrors.IsBadRequest(err) || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: %v, want 400 %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: %q %v, want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestKubeletHost(t *testing.T) {
	node := func(port int32, addrs ...corev1.NodeAddress) *corev1.Node {
		n := &corev1.Node{}
		n.Status.Addresses = addrs
		n.Status.DaemonEndpoints.KubeletEndpoint.Port = port
		return n
	}
	a := func(t corev1.NodeAddressType, v string) corev1.NodeAddress {
		return corev1.NodeAddress{Type: t, Address: v}
	}
	tests := []struct {
		node *corev1.Node
		want string
	}{
		{node(10250, a(corev1.NodeHostName, "n1"), a(corev1.NodeInternalIP, "10.0.0.5")), "10.0.0.5:10250"},
		{node(0, a(corev1.NodeExternalIP, "1.2.3.4"), a(corev1.NodeHostName, "n1")), "n1:10250"},
		{node(12345, a(corev1.NodeExternalIP, "1.2.3.4")), "1.2.3.4:12345"},
		{node(10250, a(corev1.NodeInternalIP, "fd00::5")), "[fd00::5]:10250"},
		{node(10250), ""},
	}
	for _, tt := range tests {
		got, err := KubeletHost(tt.node)
		if got != tt.want || (tt.want == "") != (err != nil) {
			t.Errorf("%v: %q %v, want %q", tt.node.Status.Addresses, got, err, tt.want)
		}
	}
}

func TestProxyPath(t *testing.T) {
	for in, want := range map[string]string{
		"/api/v1/nodes/n1/proxy":                    "",
		"/api/v1/nodes/n1/proxy/":                   "/",
		"/api/v1/nodes/n1/proxy/stats/summary":      "/stats/summary",
		"/api/v1/nodes/n1/proxy/logs/":              "/logs/",
		"/api/v1/nodes/n1:10250/proxy/metrics/cadv": "/metrics/cadv",
	} {
		name := strings.Split(in, "/")[4]
		if got := proxyPath(in, name); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}

func TestStripCredentials(t *testing.T) {
	r, _ := http.NewRequest("GET", "https://x/", nil)
	r.Header.Set("Authorization", "Bearer secret")
	r.Header.Set("Impersonate-User", "bob")
	r.Header.Set("Impersonate-Extra-Scopes", "x")
	r.Header.Set("Upgrade", "SPDY/3.1")
	got := stripCredentials(r)
	if got.Header.Get("Authorization") != "" || got.Header.Get("Impersonate-User") != "" || got.Header.Get("Impersonate-Extra-Scopes") != "" {
		t.Errorf("credentials left: %v", got.Header)
	}
	if got.Header.Get("Upgrade") != "SPDY/3.1" || r.Header.Get("Authorization") == "" {
		t.Errorf("other headers changed, or the original request: %v / %v", got.Header, r.Header)
	}
}

func TestCheckResponse(t *testing.T) {
	resp := func(code int, body string) *http.Response {
		return &http.Response{StatusCode: code, Body: io.NopCloser(strings.NewReader(body))}
	}
	if err := checkResponse(resp(200, ""), podsResource, "p"); err != nil {
		t.Errorf("200: %v", err)
	}
	err := checkResponse(resp(400, "container \"c\" in pod \"p\" is waiting to start: ContainerCreating\n"), podsResource, "p")
	if !apierrors.IsBadRequest(err) || err.Error() != `container "c" in pod "p" is waiting to start: ContainerCreating` {
		t.Errorf("400: %v", err)
	}
	if err := checkResponse(resp(404, "no such container"), podsResource, "p"); !apierrors.IsNotFound(err) {
		t.Errorf("404: %v", err)
	}
	if err := checkResponse(resp(500, "boom"), podsResource, "p"); !apierrors.IsInternalError(err) {
		t.Errorf("500: %v", err)
	}
	if err := checkResponse(resp(403, "Forbidden"), nodesResource, "n"); !apierrors.IsForbidden(err) {
		t.Errorf("403: %v", err)
	}
}
