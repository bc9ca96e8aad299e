package endpoints

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func pod(name, ip string, ready bool, ports ...corev1.ContainerPort) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", UID: types.UID("uid-" + name)},
		Spec:       corev1.PodSpec{NodeName: "n1", Containers: []corev1.Container{{Name: "c", Ports: ports}}},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning, PodIP: ip},
	}
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: st}}
	return p
}

func service(ports ...corev1.ServicePort) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "svc", Namespace: "ns"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "a"}, ClusterIP: "10.0.0.1", Ports: ports}}
}

// render is a compact, comparable view of subsets.
func render(subsets []corev1.EndpointSubset) string {
	s := ""
	for _, ss := range subsets {
		s += "{"
		for _, a := range ss.Addresses {
			s += a.IP + " "
		}
		s += "| "
		for _, a := range ss.NotReadyAddresses {
			s += a.IP + " "
		}
		s += "|"
		for _, p := range ss.Ports {
			s += fmt.Sprintf(" %s:%d", p.Name, p.Port)
		}
		s += "}"
	}
	return s
}

func TestSubsets(t *testing.T) {
	http := corev1.ServicePort{Name: "http", Port: 80, TargetPort: intstr.FromString("web"), Protocol: corev1.ProtocolTCP}
	metrics := corev1.ServicePort{Name: "metrics", Port: 9090, TargetPort: intstr.FromInt32(9100), Protocol: corev1.ProtocolTCP}
	web := corev1.ContainerPort{Name: "web", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}
	web2 := corev1.ContainerPort{Name: "web", ContainerPort: 8081}
	deleting := pod("d", "10.0.0.9", true, web)
	now := metav1.Now()
	deleting.DeletionTimestamp = &now
	finished := pod("f", "10.0.0.8", false, web)
	finished.Status.Phase = corev1.PodSucceeded
	hosted := pod("h", "10.0.0.7", true)
	hosted.Spec.Hostname, hosted.Spec.Subdomain = "h0", "svc"

	cases := []struct {
		name string
		svc  *corev1.Service
		pods []*corev1.Pod
		want string
	}{
		{"ready and not ready", service(http), []*corev1.Pod{pod("a", "10.0.0.2", true, web), pod("b", "10.0.0.1", false, web)},
			"{10.0.0.2 | 10.0.0.1 | http:8080}"},
		{"named port resolved per pod", service(http), []*corev1.Pod{pod("a", "10.0.0.2", true, web), pod("b", "10.0.0.1", true, web2)},
			"{10.0.0.2 | | http:8080}{10.0.0.1 | | http:8081}"},
		{"pod without the named port keeps the numeric one", service(http, metrics), []*corev1.Pod{pod("a", "10.0.0.2", true, web), pod("b", "10.0.0.1", true)},
			"{10.0.0.2 | | http:8080 metrics:9100}{10.0.0.1 | | metrics:9100}"},
		{"no ip, finished and deleting pods left out", service(http), []*corev1.Pod{pod("x", "", true, web), finished, deleting},
			""},
		{"publishNotReadyAddresses", func() *corev1.Service { s := service(http); s.Spec.PublishNotReadyAddresses = true; return s }(),
			[]*corev1.Pod{pod("b", "10.0.0.1", false, web), deleting}, "{10.0.0.1 10.0.0.9 | | http:8080}"},
		{"headless without ports", func() *corev1.Service { s := service(); s.Spec.ClusterIP = corev1.ClusterIPNone; return s }(),
			[]*corev1.Pod{hosted}, "{10.0.0.7 | |}"},
		{"no ports, not headless: nothing", service(), []*corev1.Pod{hosted}, ""},
	}
	for _, c := range cases {
		got, truncated := Subsets(c.svc, c.pods)
		if render(got) != c.want || truncated {
			t.Errorf("%s:\n got %s (truncated %v)\nwant %s", c.name, render(got), truncated, c.want)
		}
	}
	headless := service()
	headless.Spec.ClusterIP = corev1.ClusterIPNone
	got, _ := Subsets(headless, []*corev1.Pod{hosted})
	if got[0].Addresses[0].Hostname != "h0" || *got[0].Addresses[0].NodeName != "n1" || got[0].Addresses[0].TargetRef.Name != "h" {
		t.Errorf("address details: %+v", got[0].Addresses[0])
	}
	if ep := Desired(headless, got, false); ep.Labels[HeadlessLabel] != "" || len(ep.Labels) != 1 {
		t.Errorf("headless label: %v", ep.Labels)
	}
}

func TestSubsetsTruncated(t *testing.T) {
	var pods []*corev1.Pod
	for i := range MaxAddresses + 5 {
		pods = append(pods, pod(fmt.Sprintf("p%04d", i), fmt.Sprintf("10.1.%d.%d", i/256, i%256), true))
	}
	got, truncated := Subsets(service(corev1.ServicePort{Name: "p", Port: 80}), pods)
	if !truncated || len(got) != 1 || len(got[0].Addresses) != MaxAddresses {
		t.Fatalf("truncated %v, %d subsets", truncated, len(got))
	}
	if ep := Desired(service(), got, truncated); ep.Annotations[OverCapacityAnnotation] != "truncated" {
		t.Fatalf("annotations %v", ep.Annotations)
	}
}
