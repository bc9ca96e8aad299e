package disruption_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/informers"
	"k8s.io/utils/ptr"

	"github.com/hanok-dev/hanok/internal/controller/controllertest"
	"github.com/hanok-dev/hanok/internal/controller/disruption"
	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

// start runs the controller as the manager does: its own identity for
// what it writes (and the /scale reads), the manager's for the shared
// informers (the controller's role, as upstream's, cannot list pods).
func start(t *testing.T, s *testserver.Server, ns string) {
	t.Helper()
	c := controllertest.NewContext(t, s, disruption.Name, ns)
	c.Informers = informers.NewSharedInformerFactoryWithOptions(s.ClientFor(t, "system:kube-controller-manager"), 0, informers.WithNamespace(ns))
	dc, err := disruption.New(c)
	if err != nil {
		t.Fatal(err)
	}
	controllertest.Run(t, c, dc)
}

func labelledPod(name string, labels map[string]string, owner *metav1.OwnerReference) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}
	if owner != nil {
		p.OwnerReferences = []metav1.OwnerReference{*owner}
	}
	return p
}

type want struct {
	healthy, desired, expected, allowed int32
	reason                              string
	disrupted                           int
}

func waitStatus(t *testing.T, s *testserver.Server, ns, name string, w want) {
	t.Helper()
	ctx := testserver.Context(t)
	controllertest.Eventually(t, 15*time.Second, func() (bool, string) {
		pdb, err := s.Client().PolicyV1().PodDisruptionBudgets(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		st := pdb.Status
		c := meta.FindStatusCondition(st.Conditions, policyv1.DisruptionAllowedCondition)
		ok := st.CurrentHealthy == w.healthy && st.DesiredHealthy == w.desired && st.ExpectedPods == w.expected &&
			st.DisruptionsAllowed == w.allowed && st.ObservedGeneration == pdb.Generation &&
			c != nil && c.Reason == w.reason && len(st.DisruptedPods) == w.disrupted
		return ok, fmt.Sprintf("status %+v, want %+v", st, w)
	})
}

func TestMinAvailableNumber(t *testing.T) {
	s := shared.Get(t)
	ns := s.CreateNamespace(t)
	admin := s.Client()
	ctx := testserver.Context(t)
	controllertest.EnsureDefaultServiceAccount(t, admin, ns)
	start(t, s, ns)
	controllertest.StartKubelet(t, &controllertest.Kubelet{Client: admin, Namespace: ns, Nodes: []string{ns + "-n1"}, Schedule: true})

	web := map[string]string{"app": "web"}
	two := intstr.FromInt32(2)
	pdb := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: &two, Selector: &metav1.LabelSelector{MatchLabels: web}}}
	if _, err := admin.PolicyV1().PodDisruptionBudgets(ns).Create(ctx, pdb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, s, ns, "web", want{reason: policyv1.InsufficientPodsReason, desired: 2})
	for _, name := range []string{"a", "b", "c"} {
		if _, err := admin.CoreV1().Pods(ns).Create(ctx, labelledPod(name, web, nil), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := admin.CoreV1().Pods(ns).Create(ctx, labelledPod("other", map[string]string{"app": "db"}, nil), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, s, ns, "web", want{healthy: 3, desired: 2, expected: 3, allowed: 1, reason: policyv1.SufficientPodsReason})

	if err := controllertest.SetReady(ctx, admin, ns, "a", false); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, s, ns, "web", want{healthy: 2, desired: 2, expected: 3, allowed: 0, reason: policyv1.InsufficientPodsReason})
	if err := controllertest.SetReady(ctx, admin, ns, "a", true); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, s, ns, "web", want{healthy: 3, desired: 2, expected: 3, allowed: 1, reason: policyv1.SufficientPodsReason})

	// An eviction records the pod it let go in disruptedPods: it stops
	// counting as healthy until it is deleted, then the entry goes.
	cur, err := admin.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cur.Status.DisruptedPods = map[string]metav1.Time{"b": metav1.Now()}
	cur.Status.DisruptionsAllowed = 0
	if _, err := admin.PolicyV1().PodDisruptionBudgets(ns).UpdateStatus(ctx, cur, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, s, ns, "web", want{healthy: 2, desired: 2, expected: 3, allowed: 0, reason: policyv1.InsufficientPodsReason, disrupted: 1})
	if err := admin.CoreV1().Pods(ns).Delete(ctx, "b", metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, s, ns, "web", want{healthy: 2, desired: 2, expected: 2, allowed: 0, reason: policyv1.InsufficientPodsReason})

	// A new generation of the spec is observed.
	cur, err = admin.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	one := intstr.FromInt32(1)
	cur.Spec.MinAvailable = &one
	if _, err := admin.PolicyV1().PodDisruptionBudgets(ns).Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, s, ns, "web", want{healthy: 2, desired: 1, expected: 2, allowed: 1, reason: policyv1.SufficientPodsReason})
}

func TestMaxUnavailableFollowsOwnerScale(t *testing.T) {
	s := shared.Get(t)
	ns := s.CreateNamespace(t)
	admin := s.Client()
	ctx := testserver.Context(t)
	controllertest.EnsureDefaultServiceAccount(t, admin, ns)
	start(t, s, ns)
	controllertest.StartKubelet(t, &controllertest.Kubelet{Client: admin, Namespace: ns, Nodes: []string{ns + "-n1"}, Schedule: true})

	db := map[string]string{"app": "db"}
	// A ReplicaSet no controller acts on: it only gives the pods a scale.
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "db"},
		Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To[int32](4), Selector: &metav1.LabelSelector{MatchLabels: db},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: db},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}}}
	rs, err := admin.AppsV1().ReplicaSets(ns).Create(ctx, rs, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	owner := &metav1.OwnerReference{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: rs.Name, UID: rs.UID, Controller: ptr.To(true)}
	for _, name := range []string{"db-1", "db-2", "db-3"} {
		if _, err := admin.CoreV1().Pods(ns).Create(ctx, labelledPod(name, db, owner), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	one := intstr.FromInt32(1)
	pdb := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: "db"},
		Spec: policyv1.PodDisruptionBudgetSpec{MaxUnavailable: &one, Selector: &metav1.LabelSelector{MatchLabels: db},
			UnhealthyPodEvictionPolicy: ptr.To(policyv1.AlwaysAllow)}}
	if _, err := admin.PolicyV1().PodDisruptionBudgets(ns).Create(ctx, pdb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Four expected, one missing already: nothing more may go.
	waitStatus(t, s, ns, "db", want{healthy: 3, desired: 3, expected: 4, allowed: 0, reason: policyv1.InsufficientPodsReason})

	// Scaled down to three: one may go.
	cur, err := admin.AppsV1().ReplicaSets(ns).Get(ctx, "db", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cur.Spec.Replicas = ptr.To[int32](3)
	if _, err := admin.AppsV1().ReplicaSets(ns).Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, s, ns, "db", want{healthy: 3, desired: 2, expected: 3, allowed: 1, reason: policyv1.SufficientPodsReason})

	// A pod whose controller has no scale makes the count unknown: the
	// budget fails safe.
	bogus := &metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: "cm", UID: types.UID("not-a-scale"), Controller: ptr.To(true)}
	if _, err := admin.CoreV1().Pods(ns).Create(ctx, labelledPod("odd", db, bogus), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, s, ns, "db", want{healthy: 3, desired: 2, expected: 3, allowed: 0, reason: policyv1.SyncFailedReason})
}

// The /scale path, which the controller takes for kinds without an
// informer here, read with the controller's identity (get */scale).
func TestScaleSubresource(t *testing.T) {
	s := shared.Get(t)
	ns := s.CreateNamespace(t)
	ctx := testserver.Context(t)
	labels := map[string]string{"app": "scaled"}
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "scaled"},
		Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](5), Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}}}
	d, err := s.Client().AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	client := controllertest.ClientAs(t, s, disruption.Name)
	ref := &metav1.OwnerReference{APIVersion: "apps/v1", Kind: "Deployment", Name: d.Name, UID: d.UID}
	n, found, err := disruption.ReadScale(ctx, client.Discovery(), ns, ref)
	if err != nil || !found || n != 5 {
		t.Fatalf("scale of the deployment: %d %v %v, want 5", n, found, err)
	}
	other := *ref
	other.UID = "someone-else"
	if _, found, err := disruption.ReadScale(ctx, client.Discovery(), ns, &other); err != nil || found {
		t.Fatalf("a ref with another UID must not match: %v %v", found, err)
	}
	missing := *ref
	missing.Name = "missing"
	if _, found, err := disruption.ReadScale(ctx, client.Discovery(), ns, &missing); err != nil || found {
		t.Fatalf("a missing owner: %v %v", found, err)
	}
	cm := &metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: "x", UID: "x"}
	if _, found, err := disruption.ReadScale(ctx, client.Discovery(), ns, cm); err != nil || found {
		t.Fatalf("a kind without /scale: %v %v", found, err)
	}
}

func TestStaleDisruptionTargetTurnsFalse(t *testing.T) {
	s := shared.Get(t)
	ns := s.CreateNamespace(t)
	admin := s.Client()
	ctx := testserver.Context(t)
	controllertest.EnsureDefaultServiceAccount(t, admin, ns)
	start(t, s, ns)

	pod, err := admin.CoreV1().Pods(ns).Create(ctx, labelledPod("p", nil, nil), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Marked for disruption three minutes ago, and never deleted.
	long := metav1.NewTime(time.Now().Add(-3 * time.Minute))
	pod.Status.Conditions = append(pod.Status.Conditions, corev1.PodCondition{Type: corev1.DisruptionTarget,
		Status: corev1.ConditionTrue, Reason: "EvictionByEvictionAPI", LastTransitionTime: long})
	if _, err := admin.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	controllertest.Eventually(t, 15*time.Second, func() (bool, string) {
		p, err := admin.CoreV1().Pods(ns).Get(ctx, "p", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.DisruptionTarget {
				return c.Status == corev1.ConditionFalse, fmt.Sprintf("%+v", c)
			}
		}
		return false, "no DisruptionTarget condition"
	})
}
