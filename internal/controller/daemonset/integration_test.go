package daemonset_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/controller/controllertest"
	"github.com/hanok-dev/hanok/internal/controller/daemonset"
	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

func TestDaemonSetFollowsNodes(t *testing.T) {
	s := shared.Get(t)
	ns := s.CreateNamespace(t)
	admin := s.Client()
	ctx := testserver.Context(t)
	controllertest.EnsureDefaultServiceAccount(t, admin, ns)
	c := controllertest.NewContext(t, s, "daemon-set-controller", ns)
	dc, err := daemonset.New(c)
	if err != nil {
		t.Fatal(err)
	}
	controllertest.Run(t, c, dc)
	// The test's nodes carry a label only this test selects on.
	mine := map[string]string{"test-ns": ns}
	kubelet := &controllertest.Kubelet{Client: admin, Namespace: ns, Nodes: []string{ns + "-a", ns + "-b"}, Schedule: true, NodeLabels: mine}
	controllertest.StartKubelet(t, kubelet)

	labels := map[string]string{"app": "agent"}
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "agent"}, Spec: appsv1.DaemonSetSpec{
		Selector: &metav1.LabelSelector{MatchLabels: labels},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{
			NodeSelector: mine, Containers: []corev1.Container{{Name: "c", Image: "agent:1"}}}},
	}}
	if _, err := admin.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// expect waits until exactly nodes run one ready pod each, at image.
	expect := func(image string, nodes ...string) {
		t.Helper()
		controllertest.Eventually(t, 20*time.Second, func() (bool, string) {
			pods, err := admin.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				return false, err.Error()
			}
			on := map[string]int{}
			for _, p := range pods.Items {
				if p.DeletionTimestamp == nil && p.Spec.NodeName != "" && p.Status.Phase == corev1.PodRunning && p.Spec.Containers[0].Image == image {
					on[p.Spec.NodeName]++
				} else {
					return false, fmt.Sprintf("pod %s not settled (node %q phase %s image %s)", p.Name, p.Spec.NodeName, p.Status.Phase, p.Spec.Containers[0].Image)
				}
			}
			for _, n := range nodes {
				if on[n] != 1 {
					return false, fmt.Sprintf("pods per node %v, want one on each of %v", on, nodes)
				}
			}
			d, _ := admin.AppsV1().DaemonSets(ns).Get(ctx, "agent", metav1.GetOptions{})
			st := d.Status
			return len(on) == len(nodes) && st.DesiredNumberScheduled == int32(len(nodes)) && st.NumberAvailable == int32(len(nodes)) &&
				st.UpdatedNumberScheduled == int32(len(nodes)) && st.ObservedGeneration == d.Generation, fmt.Sprintf("pods %v status %+v", on, st)
		})
	}
	a, b, cc := ns+"-a", ns+"-b", ns+"-c"
	expect("agent:1", a, b)

	kubelet.AddNode(t, cc)
	expect("agent:1", a, b, cc)

	// An untolerated NoExecute taint evicts the pod.
	taint := func(node string, effect corev1.TaintEffect) {
		t.Helper()
		n, err := admin.CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		n.Spec.Taints = append(n.Spec.Taints, corev1.Taint{Key: "dedicated", Value: "x", Effect: effect})
		if _, err := admin.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	taint(b, corev1.TaintEffectNoExecute)
	expect("agent:1", a, cc)

	// A removed node loses its pod.
	if err := admin.CoreV1().Nodes().Delete(ctx, cc, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	expect("agent:1", a)

	// Rolling update, and kubectl rollout status finishing.
	kctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	kubectl := func(args ...string) {
		t.Helper()
		out, err := exec.CommandContext(kctx, "kubectl", append([]string{"--kubeconfig", s.KubeconfigPath(), "-n", ns}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("kubectl %v: %v\n%s", args, err, out)
		}
	}
	kubelet.AddNode(t, ns+"-d")
	expect("agent:1", a, ns+"-d")
	kubectl("set", "image", "daemonset/agent", "c=agent:2")
	kubectl("rollout", "status", "daemonset/agent", "--timeout=30s")
	expect("agent:2", a, ns+"-d")
	kubectl("rollout", "undo", "daemonset/agent")
	kubectl("rollout", "status", "daemonset/agent", "--timeout=30s")
	expect("agent:1", a, ns+"-d")
}
