package servicelb

import (
	"context"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"

	"github.com/hanok-dev/hanok/internal/controller/controllertest"
	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

// account is the service account the controller runs as.
const account = "service-controller"

// ensureRole makes system:controller:service-controller as the bootstrap
// policy should (see the report: the lead adds it there), so the test runs
// with the controller's real, narrow rights.
func ensureRole(t *testing.T, s *testserver.Server) {
	t.Helper()
	ctx := testserver.Context(t)
	role := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "system:controller:" + account},
		Rules: []rbacv1.PolicyRule{
			{Verbs: []string{"get", "list", "watch"}, APIGroups: []string{""}, Resources: []string{"services"}},
			{Verbs: []string{"patch", "update"}, APIGroups: []string{""}, Resources: []string{"services/status"}},
			{Verbs: []string{"list", "watch"}, APIGroups: []string{""}, Resources: []string{"nodes"}},
			{Verbs: []string{"create", "update", "patch"}, APIGroups: []string{"", "events.k8s.io"}, Resources: []string{"events"}},
		},
	}
	if _, err := s.Client().RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "system:controller:" + account},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: "kube-system", Name: account}},
	}
	if _, err := s.Client().RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

func createNode(t *testing.T, s *testserver.Server, name string, isReady bool, addrs ...corev1.NodeAddress) {
	t.Helper()
	ctx := testserver.Context(t)
	n, err := s.Client().CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Client().CoreV1().Nodes().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	setNode(t, s, n, isReady, addrs...)
}

func setNode(t *testing.T, s *testserver.Server, n *corev1.Node, isReady bool, addrs ...corev1.NodeAddress) {
	t.Helper()
	status := corev1.ConditionFalse
	if isReady {
		status = corev1.ConditionTrue
	}
	n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: status, LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now()}}
	n.Status.Addresses = addrs
	if _, err := s.Client().CoreV1().Nodes().UpdateStatus(testserver.Context(t), n, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func waitIngress(t *testing.T, s *testserver.Server, ns, name string, want ...string) {
	t.Helper()
	var got []string
	err := wait.PollUntilContextTimeout(testserver.Context(t), 20*time.Millisecond, 20*time.Second, true, func(ctx context.Context) (bool, error) {
		svc, err := s.Client().CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		got = ips(svc.Status.LoadBalancer.Ingress)
		return equal(got, want) || (len(got) == 0 && len(want) == 0), nil
	})
	if err != nil {
		t.Fatalf("%s/%s ingress %v, want %v", ns, name, got, want)
	}
}

func TestServiceLB(t *testing.T) {
	s := shared.Get(t)
	ensureRole(t, s)
	ns := s.CreateNamespace(t)
	createNode(t, s, "lb-node-a", true, internal("10.0.0.2"))
	createNode(t, s, "lb-node-b", true, internal("10.0.0.3"), external("203.0.113.3"))
	createNode(t, s, "lb-node-c", false, internal("10.0.0.4"))

	cc := controllertest.NewContext(t, s, account, ns)
	c, err := New(cc)
	if err != nil {
		t.Fatal(err)
	}
	controllertest.Run(t, cc, c)

	ctx := testserver.Context(t)
	lb := func(name string, class *string) {
		_, err := s.Client().CoreV1().Services(ns).Create(ctx, &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, LoadBalancerClass: class,
				Ports: []corev1.ServicePort{{Port: 80, Protocol: corev1.ProtocolTCP}}},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
	}
	lb("web", nil)
	lb("other-class", ptr.To("example.com/lb"))
	waitIngress(t, s, ns, "web", "10.0.0.2", "203.0.113.3")

	// The third node turns Ready: it joins.
	n, err := s.Client().CoreV1().Nodes().Get(ctx, "lb-node-c", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	setNode(t, s, n, true, internal("10.0.0.4"))
	waitIngress(t, s, ns, "web", "10.0.0.2", "10.0.0.4", "203.0.113.3")

	// A node goes: it leaves.
	if err := s.Client().CoreV1().Nodes().Delete(ctx, "lb-node-a", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitIngress(t, s, ns, "web", "10.0.0.4", "203.0.113.3")

	// Another implementation's service was never touched.
	other, err := s.Client().CoreV1().Services(ns).Get(ctx, "other-class", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(other.Status.LoadBalancer.Ingress) != 0 {
		t.Errorf("service with a class got ingress %v", other.Status.LoadBalancer.Ingress)
	}

	// Someone overwrites the status: it is put back.
	web, err := s.Client().CoreV1().Services(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	web.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "192.0.2.1"}}
	if _, err := s.Client().CoreV1().Services(ns).UpdateStatus(ctx, web, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitIngress(t, s, ns, "web", "10.0.0.4", "203.0.113.3")
}
