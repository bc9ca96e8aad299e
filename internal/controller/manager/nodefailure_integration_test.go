package manager

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/hanok-dev/hanok/internal/scheduler"
	"github.com/hanok-dev/hanok/internal/testserver"
)

// TestNodeFailureReschedules is the node-failure story end to end, with
// the whole controller manager and the scheduler on one API server: of two
// nodes, the one whose heartbeats stop goes Unknown and gets the
// unreachable taints; its Deployment pods are evicted once their
// toleration (1s here) runs out, and the ReplicaSet's replacements are
// scheduled on the node that is still alive.
func TestNodeFailureReschedules(t *testing.T) {
	s := testserver.Start(t)
	cs := s.Client()
	ctx := testserver.Context(t)
	ns := s.CreateNamespace(t)

	alive, dead := "node-alive", "node-dead"
	for _, name := range []string{alive, dead} {
		createReadyNode(ctx, t, cs, name)
	}
	go heartbeat(ctx, cs, alive)

	mctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	t.Cleanup(func() { stop(); <-done; <-done })
	go func() {
		defer func() { done <- struct{}{} }()
		_ = Run(mctx, Config{
			RESTConfig: s.RESTConfigFor(t, "system:kube-controller-manager"),
			RootCA:     s.PKI().ServerCAPEM(),
			// Both nodes start without a heartbeat; the dead one never
			// gets one.
			NodeMonitorGracePeriod: 3 * time.Second,
		})
	}()
	go func() {
		defer func() { done <- struct{}{} }()
		_ = scheduler.Run(mctx, scheduler.Config{RESTConfig: s.RESTConfigFor(t, "system:kube-scheduler")})
	}()

	one := int64(1)
	replicas := int32(4)
	labels := map[string]string{"app": "failover"}
	deploy := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "failover"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{Name: "c", Image: "registry.invalid/app:1"}},
					Tolerations: []corev1.Toleration{
						{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &one},
						{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &one},
					},
				},
			},
		},
	}
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deploy, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Spreading puts some pods on the node that will die.
	poll(t, "pods on both nodes", func(ctx context.Context) bool {
		on := livePodsByNode(ctx, cs, ns)
		return on[alive] > 0 && on[dead] > 0 && on[alive]+on[dead] == int(replicas)
	})
	poll(t, "every live replica on the node still alive", func(ctx context.Context) bool {
		on := livePodsByNode(ctx, cs, ns)
		return on[alive] == int(replicas) && on[dead] == 0
	})
	n, err := cs.CoreV1().Nodes().Get(ctx, dead, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tainted := false
	for _, taint := range n.Spec.Taints {
		tainted = tainted || (taint.Key == corev1.TaintNodeUnreachable && taint.Effect == corev1.TaintEffectNoExecute)
	}
	if !tainted {
		t.Fatalf("the dead node lacks the unreachable NoExecute taint: %+v", n.Spec.Taints)
	}
}

// livePodsByNode counts the namespace's bound pods not being deleted, by node.
func livePodsByNode(ctx context.Context, cs kubernetes.Interface, ns string) map[string]int {
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil
	}
	on := map[string]int{}
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil && p.Spec.NodeName != "" {
			on[p.Spec.NodeName]++
		}
	}
	return on
}

func createReadyNode(ctx context.Context, t *testing.T, cs kubernetes.Interface, name string) {
	t.Helper()
	capacity := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("8Gi"),
		corev1.ResourcePods: resource.MustParse("110")}
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{corev1.LabelHostname: name}}}
	created, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	created.Status = corev1.NodeStatus{Capacity: capacity, Allocatable: capacity, Conditions: []corev1.NodeCondition{{
		Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
		LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now()}}}
	if _, err := cs.CoreV1().Nodes().UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// heartbeat renews the node's Lease as a kubelet does, until ctx ends.
func heartbeat(ctx context.Context, cs kubernetes.Interface, name string) {
	leases := cs.CoordinationV1().Leases(corev1.NamespaceNodeLease)
	seconds := int32(40)
	for ctx.Err() == nil {
		now := metav1.NewMicroTime(time.Now())
		lease, err := leases.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			_, _ = leases.Create(ctx, &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: name},
				Spec: coordinationv1.LeaseSpec{HolderIdentity: &name, LeaseDurationSeconds: &seconds, RenewTime: &now}}, metav1.CreateOptions{})
		} else {
			lease.Spec.RenewTime = &now
			_, _ = leases.Update(ctx, lease, metav1.UpdateOptions{})
		}
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}
