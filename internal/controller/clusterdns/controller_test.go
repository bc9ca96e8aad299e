package clusterdns

import (
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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
const account = "cluster-dns-controller"

// ensureRole makes system:controller:cluster-dns-controller as the
// bootstrap policy should (the lead adds it there; see the report), so the
// test runs with the controller's real, narrow rights.
func ensureRole(t *testing.T, s *testserver.Server) {
	t.Helper()
	ctx := testserver.Context(t)
	role := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "system:controller:" + account},
		Rules: []rbacv1.PolicyRule{
			{Verbs: []string{"get", "list", "watch", "create", "update"}, APIGroups: []string{""}, Resources: []string{"services"}},
			{Verbs: []string{"get", "list", "watch"}, APIGroups: []string{""}, Resources: []string{"nodes"}},
			{Verbs: []string{"get", "list", "watch", "create", "update", "delete"}, APIGroups: []string{"discovery.k8s.io"}, Resources: []string{"endpointslices"}},
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

// nodes makes and edits the test's nodes (named <prefix>-<n>), deleted
// when the test ends.
type nodes struct {
	t      *testing.T
	s      *testserver.Server
	prefix string
}

func (n nodes) set(name string, ready bool, ip string) {
	t := n.t
	t.Helper()
	ctx := testserver.Context(t)
	api := n.s.Client().CoreV1().Nodes()
	full := n.prefix + "-" + name
	cur, err := api.Get(ctx, full, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		cur, err = api.Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: full}}, metav1.CreateOptions{})
		if err == nil {
			t.Cleanup(func() { _ = api.Delete(testserver.Context(t), full, metav1.DeleteOptions{}) })
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	cur.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: status, LastHeartbeatTime: metav1.Now()}}
	cur.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeHostName, Address: full}, {Type: corev1.NodeInternalIP, Address: ip}}
	if _, err := api.UpdateStatus(ctx, cur, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func (n nodes) remove(name string) {
	n.t.Helper()
	if err := n.s.Client().CoreV1().Nodes().Delete(testserver.Context(n.t), n.prefix+"-"+name, metav1.DeleteOptions{}); err != nil {
		n.t.Fatal(err)
	}
}

// waitSlice waits until the slice lists exactly want ("name=ip", short
// node names) among the test's nodes, and says how long that took.
func waitSlice(t *testing.T, s *testserver.Server, ns, prefix string, want ...string) time.Duration {
	t.Helper()
	begin := time.Now()
	ctx := testserver.Context(t)
	var last []string
	controllertest.Eventually(t, 10*time.Second, func() (bool, string) {
		sl, err := s.Client().DiscoveryV1().EndpointSlices(ns).Get(ctx, "kube-dns-nodes", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		last = nil
		for _, e := range entries(sl) {
			if strings.HasPrefix(e, prefix+"-") {
				last = append(last, strings.TrimPrefix(e, prefix+"-"))
			}
		}
		return slices.Equal(last, want), fmt.Sprintf("endpoints %q, want %q", last, want)
	})
	return time.Since(begin)
}

func start(t *testing.T, s *testserver.Server, ns string, ip string) {
	t.Helper()
	ensureRole(t, s)
	cc := controllertest.NewContext(t, s, account, ns)
	c, err := New(cc, Options{ClusterDNS: net.ParseIP(ip), Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	controllertest.Run(t, cc, c)
}

func TestController(t *testing.T) {
	s := shared.Get(t)
	ns := s.CreateNamespace(t)
	ctx := testserver.Context(t)
	n := nodes{t, s, ns}
	n.set("a", true, "10.1.0.1")
	n.set("b", false, "10.1.0.2")
	// Runs after the controller stopped: frees the address for a rerun
	// (-count) on the same server.
	t.Cleanup(func() {
		_ = s.Client().CoreV1().Services(ns).Delete(testserver.Context(t), "kube-dns", metav1.DeleteOptions{})
	})
	start(t, s, ns, "10.43.200.10")

	var svc *corev1.Service
	controllertest.Eventually(t, 10*time.Second, func() (bool, string) {
		var err error
		svc, err = s.Client().CoreV1().Services(ns).Get(ctx, "kube-dns", metav1.GetOptions{})
		return err == nil, fmt.Sprint(err)
	})
	if svc.Spec.ClusterIP != "10.43.200.10" || len(svc.Spec.Selector) != 0 || svc.Spec.InternalTrafficPolicy == nil ||
		*svc.Spec.InternalTrafficPolicy != corev1.ServiceInternalTrafficPolicyLocal || !samePorts(svc.Spec.Ports, servicePorts()) ||
		svc.Labels["k8s-app"] != "kube-dns" {
		t.Fatalf("service %+v", svc)
	}
	waitSlice(t, s, ns, ns, "a=10.1.0.1")

	n.set("b", true, "10.1.0.2")
	t.Logf("node turned Ready: listed after %v", waitSlice(t, s, ns, ns, "a=10.1.0.1", "b=10.1.0.2").Round(time.Millisecond))
	n.set("c", true, "10.1.0.3")
	t.Logf("node added: listed after %v", waitSlice(t, s, ns, ns, "a=10.1.0.1", "b=10.1.0.2", "c=10.1.0.3").Round(time.Millisecond))
	n.set("a", false, "10.1.0.1")
	t.Logf("node NotReady: gone after %v", waitSlice(t, s, ns, ns, "b=10.1.0.2", "c=10.1.0.3").Round(time.Millisecond))
	n.set("b", true, "10.1.0.22")
	waitSlice(t, s, ns, ns, "b=10.1.0.22", "c=10.1.0.3")
	n.remove("c")
	t.Logf("node deleted: gone after %v", waitSlice(t, s, ns, ns, "b=10.1.0.22").Round(time.Millisecond))

	// Someone's edits to what we own are undone.
	edited := svc.DeepCopy()
	cluster := corev1.ServiceInternalTrafficPolicyCluster
	edited.Spec.InternalTrafficPolicy = &cluster
	if _, err := s.Client().CoreV1().Services(ns).Update(ctx, edited, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	controllertest.Eventually(t, 10*time.Second, func() (bool, string) {
		got, err := s.Client().CoreV1().Services(ns).Get(ctx, "kube-dns", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return *got.Spec.InternalTrafficPolicy == corev1.ServiceInternalTrafficPolicyLocal, "traffic policy " + string(*got.Spec.InternalTrafficPolicy)
	})

	// A deleted Service comes back, and the slice follows the new one.
	if err := s.Client().CoreV1().Services(ns).Delete(ctx, "kube-dns", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	controllertest.Eventually(t, 10*time.Second, func() (bool, string) {
		got, err := s.Client().CoreV1().Services(ns).Get(ctx, "kube-dns", metav1.GetOptions{})
		if err != nil || got.UID == svc.UID {
			return false, fmt.Sprint("not made again: ", err)
		}
		sl, err := s.Client().DiscoveryV1().EndpointSlices(ns).Get(ctx, "kube-dns-nodes", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return len(sl.OwnerReferences) == 1 && sl.OwnerReferences[0].UID == got.UID, fmt.Sprintf("slice owner %+v", sl.OwnerReferences)
	})
}

func TestControllerLeavesForeignServiceAlone(t *testing.T) {
	s := shared.Get(t)
	ns := s.CreateNamespace(t)
	ctx := testserver.Context(t)
	n := nodes{t, s, ns}
	n.set("a", true, "10.2.0.1")
	foreign := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "kube-dns"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"k8s-app": "kube-dns"},
			Ports: []corev1.ServicePort{{Name: "dns", Port: 53, Protocol: corev1.ProtocolUDP}}},
	}
	foreign, err := s.Client().CoreV1().Services(ns).Create(ctx, foreign, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.Client().CoreV1().Services(ns).Delete(testserver.Context(t), "kube-dns", metav1.DeleteOptions{})
	})
	// A slice of ours left from before is removed.
	stale := desiredSlice(desiredService(ns, "kube-dns", net.ParseIP("10.43.200.20")), nil)
	stale.OwnerReferences = nil
	if _, err := s.Client().DiscoveryV1().EndpointSlices(ns).Create(ctx, stale, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	start(t, s, ns, "10.43.200.20")
	controllertest.Eventually(t, 10*time.Second, func() (bool, string) {
		_, err := s.Client().DiscoveryV1().EndpointSlices(ns).Get(ctx, stale.Name, metav1.GetOptions{})
		return apierrors.IsNotFound(err), fmt.Sprint("stale slice: ", err)
	})
	// Nodes changing make no slice for it either.
	n.set("b", true, "10.2.0.2")
	time.Sleep(300 * time.Millisecond) // nothing to poll for: the absence of a write
	got, err := s.Client().CoreV1().Services(ns).Get(ctx, "kube-dns", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.ResourceVersion != foreign.ResourceVersion {
		t.Errorf("foreign service changed: %+v", got.Spec)
	}
	list, err := s.Client().DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelManagedBy + "=" + ManagedBy})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 0 {
		t.Errorf("slices made for a foreign service: %v", list.Items)
	}
}
