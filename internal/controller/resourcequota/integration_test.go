package resourcequota_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/hanok-dev/hanok/internal/controller/controllertest"
	"github.com/hanok-dev/hanok/internal/controller/resourcequota"
	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

func start(t *testing.T, s *testserver.Server, ns string, opts resourcequota.Options) {
	t.Helper()
	c := controllertest.NewContext(t, s, resourcequota.Name, ns)
	rq, err := resourcequota.New(c, opts)
	if err != nil {
		t.Fatal(err)
	}
	controllertest.Run(t, c, rq)
}

func simplePod(name string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}
}

// waitUsed waits for the quota's status.used[name] to be want.
func waitUsed(t *testing.T, s *testserver.Server, ns, quota string, want map[corev1.ResourceName]string) {
	t.Helper()
	ctx := testserver.Context(t)
	controllertest.Eventually(t, 15*time.Second, func() (bool, string) {
		q, err := s.Client().CoreV1().ResourceQuotas(ns).Get(ctx, quota, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		for name, v := range want {
			got, ok := q.Status.Used[name]
			if !ok || got.Cmp(resource.MustParse(v)) != 0 {
				return false, fmt.Sprintf("status %+v", q.Status)
			}
			if _, ok := q.Status.Hard[name]; !ok {
				return false, fmt.Sprintf("status.hard lacks %s: %+v", name, q.Status)
			}
		}
		return true, ""
	})
}

func TestDeletedPodGivesQuotaBack(t *testing.T) {
	s := shared.Get(t)
	ns := s.CreateNamespace(t)
	admin := s.Client()
	ctx := testserver.Context(t)
	controllertest.EnsureDefaultServiceAccount(t, admin, ns)
	start(t, s, ns, resourcequota.Options{})

	q := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "pods"},
		Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("2")}}}
	if _, err := admin.CoreV1().ResourceQuotas(ns).Create(ctx, q, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitUsed(t, s, ns, "pods", map[corev1.ResourceName]string{"pods": "0"})
	for _, name := range []string{"a", "b"} {
		if _, err := admin.CoreV1().Pods(ns).Create(ctx, simplePod(name), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	waitUsed(t, s, ns, "pods", map[corev1.ResourceName]string{"pods": "2"})
	if _, err := admin.CoreV1().Pods(ns).Create(ctx, simplePod("c"), metav1.CreateOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("a third pod must be refused while two count: %v", err)
	}
	if err := admin.CoreV1().Pods(ns).Delete(ctx, "a", metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}); err != nil {
		t.Fatal(err)
	}
	waitUsed(t, s, ns, "pods", map[corev1.ResourceName]string{"pods": "1"})
	// Admission reads quotas from the API server's informer, which may be
	// a moment behind the status just written: retry while it catches up.
	controllertest.Eventually(t, 10*time.Second, func() (bool, string) {
		_, err := admin.CoreV1().Pods(ns).Create(ctx, simplePod("c"), metav1.CreateOptions{})
		return err == nil, fmt.Sprintf("with one pod given back the third must fit: %v", err)
	})

	// A pod turning terminal gives its pod count back too.
	p, err := admin.CoreV1().Pods(ns).Get(ctx, "b", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p.Status.Phase = corev1.PodSucceeded
	if _, err := admin.CoreV1().Pods(ns).UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitUsed(t, s, ns, "pods", map[corev1.ResourceName]string{"pods": "1"})
}

func TestUsageOfEveryKind(t *testing.T) {
	s := shared.Get(t)
	ns := s.CreateNamespace(t)
	admin := s.Client()
	ctx := testserver.Context(t)
	// The short resync is what counts configmaps again after a delete.
	start(t, s, ns, resourcequota.Options{ResyncPeriod: 500 * time.Millisecond})

	for _, cm := range []string{"one", "two"} {
		if _, err := admin.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: cm}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "np"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Ports: []corev1.ServicePort{{Port: 80}}}}
	if _, err := admin.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pvc := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "data"},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}}
	if _, err := admin.CoreV1().PersistentVolumeClaims(ns).Create(ctx, pvc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	hard := corev1.ResourceList{}
	for _, n := range []string{"configmaps", "count/configmaps", "services", "services.nodeports", "services.loadbalancers",
		"persistentvolumeclaims", "requests.storage", "count/deployments.apps", "resourcequotas"} {
		hard[corev1.ResourceName(n)] = resource.MustParse("100Gi")
	}
	q := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "all"}, Spec: corev1.ResourceQuotaSpec{Hard: hard}}
	if _, err := admin.CoreV1().ResourceQuotas(ns).Create(ctx, q, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitUsed(t, s, ns, "all", map[corev1.ResourceName]string{
		"configmaps": "2", "count/configmaps": "2", "services": "1", "services.nodeports": "1",
		"services.loadbalancers": "0", "persistentvolumeclaims": "1", "requests.storage": "1Gi",
		"count/deployments.apps": "0", "resourcequotas": "1",
	})

	// Deletions come back: the service and claim at once, the configmap
	// at the next resync.
	if err := admin.CoreV1().Services(ns).Delete(ctx, "np", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := admin.CoreV1().PersistentVolumeClaims(ns).Delete(ctx, "data", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := admin.CoreV1().ConfigMaps(ns).Delete(ctx, "one", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitUsed(t, s, ns, "all", map[corev1.ResourceName]string{
		"configmaps": "1", "services": "0", "services.nodeports": "0", "persistentvolumeclaims": "0", "requests.storage": "0",
	})

	// Raising a limit shows in status.hard.
	cur, err := admin.CoreV1().ResourceQuotas(ns).Get(ctx, "all", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cur.Spec.Hard["secrets"] = resource.MustParse("7")
	if _, err := admin.CoreV1().ResourceQuotas(ns).Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	controllertest.Eventually(t, 15*time.Second, func() (bool, string) {
		q, err := admin.CoreV1().ResourceQuotas(ns).Get(ctx, "all", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		h := q.Status.Hard["secrets"]
		_, counted := q.Status.Used["secrets"]
		return h.Cmp(resource.MustParse("7")) == 0 && counted, fmt.Sprintf("%+v", q.Status)
	})
}
