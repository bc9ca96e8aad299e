package endpointslice_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/hanok-dev/hanok/internal/controller/controllertest"
	"github.com/hanok-dev/hanok/internal/controller/endpointslice"
	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

func TestEndpointSlicesFollowPods(t *testing.T) {
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

	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "web"},
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http")}}}}
	if _, err := admin.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	list := func() []discoveryv1.EndpointSlice {
		l, err := admin.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=web"})
		if err != nil {
			t.Fatal(err)
		}
		return l.Items
	}
	// expect waits for total endpoints, ready of them Ready, in slices
	// slices (-1: any number).
	expect := func(total, ready, slices int) []discoveryv1.EndpointSlice {
		t.Helper()
		var items []discoveryv1.EndpointSlice
		controllertest.Eventually(t, 60*time.Second, func() (bool, string) {
			items = list()
			n, r := 0, 0
			for _, sl := range items {
				if len(sl.Endpoints) > endpointslice.MaxEndpointsPerSlice || sl.Labels[discoveryv1.LabelManagedBy] != endpointslice.ManagedBy {
					return false, fmt.Sprintf("slice %s: %d endpoints, labels %v", sl.Name, len(sl.Endpoints), sl.Labels)
				}
				for _, ep := range sl.Endpoints {
					n++
					if *ep.Conditions.Ready {
						r++
					}
				}
			}
			running := 0
			if pods, err := admin.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{}); err == nil {
				for _, p := range pods.Items {
					if p.Status.PodIP != "" {
						running++
					}
				}
			}
			return n == total && r == ready && (slices < 0 || len(items) == slices),
				fmt.Sprintf("%d slices, %d endpoints, %d ready (%d pods have an IP)", len(items), n, r, running)
		})
		return items
	}
	// No pods yet: one empty placeholder slice.
	placeholder := expect(0, 0, 1)[0]

	const n = 105
	errs := make(chan error, n)
	for i := range n {
		go func() {
			pod := &corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("p%03d", i), Labels: map[string]string{"app": "web"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx",
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}}}}},
			}
			_, err := admin.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	items := expect(n, n, 2)
	kept := false
	for _, sl := range items {
		kept = kept || sl.Name == placeholder.Name
	}
	if !kept {
		t.Fatalf("the placeholder slice %s was replaced instead of filled", placeholder.Name)
	}
	for _, sl := range items {
		if *sl.Ports[0].Port != 8080 || sl.AddressType != discoveryv1.AddressTypeIPv4 {
			t.Fatalf("slice %s ports %+v type %s", sl.Name, sl.Ports, sl.AddressType)
		}
	}

	if err := controllertest.SetReady(ctx, admin, ns, "p005", false); err != nil {
		t.Fatal(err)
	}
	expect(n, n-1, 2)

	// Deleting a pod (graceful, then gone) removes its endpoint.
	if err := admin.CoreV1().Pods(ns).Delete(ctx, "p006", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	expect(n-1, n-2, 2)
}
