package deployment_test

import (
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/hanok-dev/hanok/internal/controller/controllertest"
	"github.com/hanok-dev/hanok/internal/controller/deployment"
	"github.com/hanok-dev/hanok/internal/controller/replicaset"
	"github.com/hanok-dev/hanok/internal/testserver"
)

// TestFailoverMidRollout stops both controllers in the middle of a
// rollout (as a lost leader election would) and starts new ones with
// empty memories: they must finish the rollout from what the API shows,
// without ever running more than replicas+maxSurge pods.
func TestFailoverMidRollout(t *testing.T) {
	s := shared.Get(t)
	ns := s.CreateNamespace(t)
	admin := s.Client()
	ctx := testserver.Context(t)
	controllertest.EnsureDefaultServiceAccount(t, admin, ns)
	var v2Ready atomic.Bool
	controllertest.StartKubelet(t, &controllertest.Kubelet{Client: admin, Namespace: ns, Nodes: []string{ns + "-n1"}, Schedule: true,
		Ready: func(p *corev1.Pod) bool { return p.Spec.Containers[0].Image != "nginx:2" || v2Ready.Load() }})
	e := &env{s: s, ns: ns, admin: admin, ctx: ctx}

	start := func() (stop func()) {
		rc := controllertest.NewContext(t, s, "replicaset-controller", ns)
		rsc, _ := replicaset.New(rc)
		stopRS := controllertest.Start(t, rc, rsc)
		dcx := controllertest.NewContext(t, s, "deployment-controller", ns)
		dc, _ := deployment.New(dcx)
		stopD := controllertest.Start(t, dcx, dc)
		return func() { stopD(); stopRS() }
	}
	stop := start()

	d := newDeployment("web", 4, "nginx:1")
	one, zero := intstr.FromInt32(1), intstr.FromInt32(0)
	d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &one, MaxUnavailable: &zero}}
	if _, err := admin.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.waitComplete(t, "web")
	peak := e.watchPeak(t)
	e.kubectl(t, "set", "image", "deployment/web", "c=nginx:2")
	// The rollout starts: one surge pod, which never gets Ready.
	controllertest.Eventually(t, 20*time.Second, func() (bool, string) {
		cur, _ := admin.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
		return cur.Status.UpdatedReplicas == 1 && cur.Status.Replicas == 5, "waiting for the surge pod"
	})
	stop()

	// The new leader takes over; the new pods become Ready.
	t.Cleanup(start())
	v2Ready.Store(true)
	pods, _ := admin.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	for _, p := range pods.Items {
		if p.Spec.Containers[0].Image == "nginx:2" && p.Status.Phase == corev1.PodRunning {
			if err := controllertest.SetReady(ctx, admin, ns, p.Name, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	cur := e.waitComplete(t, "web")
	if img := cur.Spec.Template.Spec.Containers[0].Image; img != "nginx:2" {
		t.Fatalf("image %s", img)
	}
	if p := peak(); p > 5 {
		t.Fatalf("%d pods at once across the failover, want at most replicas+maxSurge = 5", p)
	}
	if n := len(e.sets(t)); n != 2 {
		t.Fatalf("%d replica sets, want 2 (no duplicate new set)", n)
	}
}
