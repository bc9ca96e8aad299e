package endpointslice_test

import (
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/controller/controllertest"
	"github.com/hanok-dev/hanok/internal/controller/endpointslice"
	"github.com/hanok-dev/hanok/internal/testserver"
)

// A headless Service whose selector changes after its (empty) slice was
// written must list the pods of its new selector, as `kubectl create
// service clusterip --clusterip None` followed by a selector patch does.
func TestSelectorChangeRefillsSlice(t *testing.T) {
	s := shared.Get(t)
	ns := s.CreateNamespace(t)
	admin := s.Client()
	ctx := testserver.Context(t)
	controllertest.EnsureDefaultServiceAccount(t, admin, ns)
	c := controllertest.NewContext(t, s, "endpointslice-controller", ns)
	sc, err := endpointslice.New(c)
	if err != nil {
		t.Fatal(err)
	}
	controllertest.Run(t, c, sc)
	controllertest.StartKubelet(t, &controllertest.Kubelet{Client: admin, Namespace: ns, Nodes: []string{ns + "-n1"}, Schedule: true})
	for i := range 2 {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("web-%d", i), Labels: map[string]string{"app": "web"}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "x"}}}}
		if _, err := admin.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "h"},
		Spec: corev1.ServiceSpec{ClusterIP: corev1.ClusterIPNone, Selector: map[string]string{"app": "h"},
			Ports: []corev1.ServicePort{{Name: "8080-8080", Port: 8080}}}}
	if _, err := admin.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	endpoints := func() (int, int) {
		l, err := admin.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=h"})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, sl := range l.Items {
			n += len(sl.Endpoints)
		}
		return len(l.Items), n
	}
	time.Sleep(2 * time.Second) // let the controller write the empty slice
	if slices, n := endpoints(); slices != 1 || n != 0 {
		t.Logf("before the selector change: %d slices, %d endpoints", slices, n)
	}
	cur, err := admin.CoreV1().Services(ns).Get(ctx, "h", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cur.Spec.Selector = map[string]string{"app": "web"}
	if _, err := admin.CoreV1().Services(ns).Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	controllertest.Eventually(t, 20*time.Second, func() (bool, string) {
		slices, n := endpoints()
		pods, _ := admin.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		var ips []string
		for _, p := range pods.Items {
			ips = append(ips, p.Status.PodIP+"/"+string(p.Status.Phase))
		}
		return n == 2, fmt.Sprintf("%d slices, %d endpoints; pods %v", slices, n, ips)
	})
}
