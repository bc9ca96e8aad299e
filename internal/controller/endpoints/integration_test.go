package endpoints_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/hanok-dev/hanok/internal/controller/controllertest"
	"github.com/hanok-dev/hanok/internal/controller/endpoints"
	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

func webPod(name string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": "web"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx",
			Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}}}}},
	}
}

func TestEndpointsFollowReadiness(t *testing.T) {
	s := shared.Get(t)
	ns := s.CreateNamespace(t)
	admin := s.Client()
	ctx := testserver.Context(t)
	controllertest.EnsureDefaultServiceAccount(t, admin, ns)
	c := controllertest.NewContext(t, s, "endpoint-controller", ns)
	ec, err := endpoints.New(c)
	if err != nil {
		t.Fatal(err)
	}
	controllertest.Run(t, c, ec)
	controllertest.StartKubelet(t, &controllertest.Kubelet{Client: admin, Namespace: ns, Nodes: []string{ns + "-n1"}, Schedule: true})

	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web", Labels: map[string]string{"tier": "front"}},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "web"},
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http")}}}}
	if _, err := admin.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b"} {
		if _, err := admin.CoreV1().Pods(ns).Create(ctx, webPod(name), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	expect := func(ready, notReady int) {
		t.Helper()
		controllertest.Eventually(t, 15*time.Second, func() (bool, string) {
			ep, err := admin.CoreV1().Endpoints(ns).Get(ctx, "web", metav1.GetOptions{})
			if err != nil {
				return false, err.Error()
			}
			r, n := 0, 0
			for _, ss := range ep.Subsets {
				r += len(ss.Addresses)
				n += len(ss.NotReadyAddresses)
				for _, p := range ss.Ports {
					if p.Port != 8080 || p.Name != "http" {
						return false, fmt.Sprintf("port %+v", p)
					}
				}
			}
			return r == ready && n == notReady && ep.Labels["tier"] == "front", fmt.Sprintf("subsets %+v labels %v", ep.Subsets, ep.Labels)
		})
	}
	expect(2, 0)
	if err := controllertest.SetReady(ctx, admin, ns, "a", false); err != nil {
		t.Fatal(err)
	}
	expect(1, 1)
	if err := controllertest.SetReady(ctx, admin, ns, "a", true); err != nil {
		t.Fatal(err)
	}
	expect(2, 0)

	// A relabelled pod leaves.
	p, _ := admin.CoreV1().Pods(ns).Get(ctx, "b", metav1.GetOptions{})
	p.Labels["app"] = "other"
	if _, err := admin.CoreV1().Pods(ns).Update(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	expect(1, 0)

	// publishNotReadyAddresses lists not-ready pods as ready.
	if err := controllertest.SetReady(ctx, admin, ns, "a", false); err != nil {
		t.Fatal(err)
	}
	expect(0, 1)
	cur, _ := admin.CoreV1().Services(ns).Get(ctx, "web", metav1.GetOptions{})
	cur.Spec.PublishNotReadyAddresses = true
	if _, err := admin.CoreV1().Services(ns).Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	expect(1, 0)

	// The Endpoints go with their service.
	if err := admin.CoreV1().Services(ns).Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	controllertest.Eventually(t, 10*time.Second, func() (bool, string) {
		_, err := admin.CoreV1().Endpoints(ns).Get(ctx, "web", metav1.GetOptions{})
		return apierrors.IsNotFound(err), fmt.Sprint(err)
	})
}

func TestHeadlessAndSelectorless(t *testing.T) {
	s := shared.Get(t)
	ns := s.CreateNamespace(t)
	admin := s.Client()
	ctx := testserver.Context(t)
	controllertest.EnsureDefaultServiceAccount(t, admin, ns)
	c := controllertest.NewContext(t, s, "endpoint-controller", ns)
	ec, _ := endpoints.New(c)
	controllertest.Run(t, c, ec)
	controllertest.StartKubelet(t, &controllertest.Kubelet{Client: admin, Namespace: ns, Nodes: []string{ns + "-n1"}, Schedule: true})

	pod := webPod("h")
	pod.Spec.Hostname, pod.Spec.Subdomain = "h-0", "hl"
	if _, err := admin.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	headless := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "hl"},
		Spec: corev1.ServiceSpec{ClusterIP: corev1.ClusterIPNone, Selector: map[string]string{"app": "web"}}}
	if _, err := admin.CoreV1().Services(ns).Create(ctx, headless, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	manual := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "manual"},
		Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}}}}
	if _, err := admin.CoreV1().Services(ns).Create(ctx, manual, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	controllertest.Eventually(t, 15*time.Second, func() (bool, string) {
		ep, err := admin.CoreV1().Endpoints(ns).Get(ctx, "hl", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		ok := len(ep.Subsets) == 1 && len(ep.Subsets[0].Addresses) == 1 && ep.Subsets[0].Addresses[0].Hostname == "h-0"
		_, headlessLabel := ep.Labels[corev1.IsHeadlessService]
		return ok && headlessLabel, fmt.Sprintf("%+v %v", ep.Subsets, ep.Labels)
	})
	if _, err := admin.CoreV1().Endpoints(ns).Get(ctx, "manual", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("a service without selector must get no managed endpoints: %v", err)
	}
}
