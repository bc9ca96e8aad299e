package kubelet

import (
	"reflect"
	"testing"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestServiceEnv(t *testing.T) {
	svc := func(ns, name, ip string, ports ...v1.ServicePort) *v1.Service {
		return &v1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: v1.ServiceSpec{ClusterIP: ip, Ports: ports}}
	}
	services := []*v1.Service{
		svc("default", "kubernetes", "10.43.0.1", v1.ServicePort{Name: "https", Port: 443}),
		svc("shop", "redis-main", "10.43.0.20", v1.ServicePort{Port: 6379}),
		svc("shop", "headless", v1.ClusterIPNone, v1.ServicePort{Port: 80}),
		svc("other", "web", "10.43.0.30", v1.ServicePort{Port: 80}),
	}
	got := serviceEnv(services, "shop", true)
	want := []envVar{
		{"KUBERNETES_SERVICE_HOST", "10.43.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}, {"KUBERNETES_SERVICE_PORT_HTTPS", "443"},
		{"KUBERNETES_PORT", "tcp://10.43.0.1:443"}, {"KUBERNETES_PORT_443_TCP", "tcp://10.43.0.1:443"},
		{"KUBERNETES_PORT_443_TCP_PROTO", "tcp"}, {"KUBERNETES_PORT_443_TCP_PORT", "443"}, {"KUBERNETES_PORT_443_TCP_ADDR", "10.43.0.1"},
		{"REDIS_MAIN_SERVICE_HOST", "10.43.0.20"}, {"REDIS_MAIN_SERVICE_PORT", "6379"},
		{"REDIS_MAIN_PORT", "tcp://10.43.0.20:6379"}, {"REDIS_MAIN_PORT_6379_TCP", "tcp://10.43.0.20:6379"},
		{"REDIS_MAIN_PORT_6379_TCP_PROTO", "tcp"}, {"REDIS_MAIN_PORT_6379_TCP_PORT", "6379"}, {"REDIS_MAIN_PORT_6379_TCP_ADDR", "10.43.0.20"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	// Without service links only the API server's variables remain.
	if got := serviceEnv(services, "shop", false); len(got) != 8 || got[0].Name != "KUBERNETES_SERVICE_HOST" {
		t.Errorf("links off: %v", got)
	}
}
