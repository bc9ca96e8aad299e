package metricsapi_test

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	statsv1alpha1 "k8s.io/kubelet/pkg/apis/stats/v1alpha1"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	metricsclient "k8s.io/metrics/pkg/client/clientset/versioned"

	"github.com/hanok-dev/hanok/internal/apiserver/kubeletproxy/kubelettest"
	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

func u64(v uint64) *uint64 { return &v }

func usage(t metav1.Time, nanoCores, workingSet uint64) (*statsv1alpha1.CPUStats, *statsv1alpha1.MemoryStats) {
	return &statsv1alpha1.CPUStats{Time: t, UsageNanoCores: u64(nanoCores)}, &statsv1alpha1.MemoryStats{Time: t, WorkingSetBytes: u64(workingSet)}
}

// fixture: a namespace, a node with a fake kubelet reporting the node and
// two pods, web (label app=web) and db.
type fixture struct {
	s        *testserver.Server
	ns, node string
	metrics  metricsclient.Interface
	kubelet  *kubelettest.Kubelet
}

func setup(t *testing.T) *fixture {
	t.Helper()
	s := shared.Get(t)
	f := &fixture{s: s, ns: s.CreateNamespace(t), node: "node-" + utilrand.String(6)}
	ctx := testserver.Context(t)
	f.kubelet = kubelettest.Start(t, s.PKI(), f.node)
	now := metav1.NewTime(time.Now().Truncate(time.Second))
	nodeCPU, nodeMem := usage(now, 250_000_000, 512<<20)
	webCPU, webMem := usage(now, 3_000_000, 20<<20)
	dbCPU, dbMem := usage(now, 7_000_000, 30<<20)
	f.kubelet.Summary = &statsv1alpha1.Summary{
		Node: statsv1alpha1.NodeStats{NodeName: f.node, CPU: nodeCPU, Memory: nodeMem},
		Pods: []statsv1alpha1.PodStats{
			{PodRef: statsv1alpha1.PodReference{Namespace: f.ns, Name: "web"}, Containers: []statsv1alpha1.ContainerStats{{Name: "app", CPU: webCPU, Memory: webMem}}},
			{PodRef: statsv1alpha1.PodReference{Namespace: f.ns, Name: "db"}, Containers: []statsv1alpha1.ContainerStats{{Name: "app", CPU: dbCPU, Memory: dbMem}}},
		},
	}
	if _, err := s.Client().CoreV1().Nodes().Create(ctx, f.kubelet.Node(f.node), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Client().CoreV1().Nodes().Delete(context.Background(), f.node, metav1.DeleteOptions{}) })
	for _, name := range []string{"web", "db"} {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": name}},
			Spec: corev1.PodSpec{NodeName: f.node, Containers: []corev1.Container{{Name: "app", Image: "busybox"}}}}
		if _, err := s.Client().CoreV1().Pods(f.ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if f.metrics, err = metricsclient.NewForConfig(s.RESTConfig()); err != nil {
		t.Fatal(err)
	}
	// The metrics API reads nodes and pods from informers: wait for them.
	eventually(t, func() error {
		_, err := f.metrics.MetricsV1beta1().PodMetricses(f.ns).Get(ctx, "db", metav1.GetOptions{})
		return err
	})
	return f
}

func eventually(t *testing.T, try func() error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := try()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestNodeAndPodMetrics: the kubelet's figures come back as NodeMetrics
// and PodMetrics, with selectors and namespaces honoured.
func TestNodeAndPodMetrics(t *testing.T) {
	f := setup(t)
	ctx := testserver.Context(t)
	m := f.metrics.MetricsV1beta1()

	nm, err := m.NodeMetricses().Get(ctx, f.node, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cpu, mem := nm.Usage[corev1.ResourceCPU], nm.Usage[corev1.ResourceMemory]; cpu.String() != "250m" || mem.String() != "512Mi" {
		t.Errorf("node usage cpu %s memory %s, want 250m 512Mi", cpu.String(), mem.String())
	}
	if nm.Window.Duration <= 0 || nm.Timestamp.IsZero() {
		t.Errorf("node metrics window %v timestamp %v", nm.Window, nm.Timestamp)
	}
	list, err := m.NodeMetricses().List(ctx, metav1.ListOptions{LabelSelector: "kubernetes.io/hostname=" + f.node})
	if err != nil || len(list.Items) != 1 || list.Items[0].Name != f.node {
		t.Fatalf("node metrics by label: %v %+v", err, list)
	}

	pods, err := m.PodMetricses(f.ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil || len(pods.Items) != 1 {
		t.Fatalf("pod metrics app=web: %v %+v", err, pods)
	}
	web := pods.Items[0]
	if web.Name != "web" || web.Labels["app"] != "web" || len(web.Containers) != 1 {
		t.Fatalf("web metrics %+v", web)
	}
	if cpu, mem := web.Containers[0].Usage[corev1.ResourceCPU], web.Containers[0].Usage[corev1.ResourceMemory]; cpu.String() != "3m" || mem.String() != "20Mi" {
		t.Errorf("web usage cpu %s memory %s, want 3m 20Mi", cpu.String(), mem.String())
	}
	all, err := m.PodMetricses("").List(ctx, metav1.ListOptions{})
	if err != nil || !slices.ContainsFunc(all.Items, func(p metricsv1beta1.PodMetrics) bool { return p.Namespace == f.ns && p.Name == "db" }) {
		t.Fatalf("pod metrics in all namespaces: %v %d items", err, len(all.Items))
	}
	byName, err := m.PodMetricses(f.ns).List(ctx, metav1.ListOptions{FieldSelector: "metadata.name=db"})
	if err != nil || len(byName.Items) != 1 || byName.Items[0].Name != "db" {
		t.Fatalf("pod metrics by field selector: %v %+v", err, byName)
	}
	if _, err := m.PodMetricses(f.ns).Get(ctx, "ghost", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("metrics of a missing pod: %v, want 404", err)
	}
	if _, err := m.NodeMetricses().Get(ctx, "ghost", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("metrics of a missing node: %v, want 404", err)
	}
	if _, err := m.PodMetricses(f.ns).Watch(ctx, metav1.ListOptions{}); err == nil {
		t.Error("watch of pod metrics succeeded; metrics.k8s.io serves get and list only")
	}
}

// TestMetricsDiscovery: metrics.k8s.io is in both discovery forms, so
// `kubectl top` finds it.
func TestMetricsDiscovery(t *testing.T) {
	s := shared.Get(t)
	d := s.Client().Discovery()
	groups, resources, err := d.ServerGroupsAndResources() // aggregated discovery
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(groups, func(g *metav1.APIGroup) bool { return g.Name == "metrics.k8s.io" }) {
		t.Fatal("metrics.k8s.io missing from aggregated discovery")
	}
	found := map[string]bool{}
	for _, l := range resources {
		if l.GroupVersion == "metrics.k8s.io/v1beta1" {
			for _, r := range l.APIResources {
				found[r.Name+" "+r.Kind+" "+strings.Join(r.Verbs, ",")] = true
			}
		}
	}
	if !found["nodes NodeMetrics get,list"] || !found["pods PodMetrics get,list"] {
		t.Errorf("aggregated metrics.k8s.io/v1beta1 resources: %v", found)
	}
	classic, err := d.ServerResourcesForGroupVersion("metrics.k8s.io/v1beta1")
	if err != nil || len(classic.APIResources) != 2 {
		t.Fatalf("classic discovery: %v %+v", err, classic)
	}
	raw, err := d.RESTClient().Get().AbsPath("/apis/metrics.k8s.io").DoRaw(testserver.Context(t))
	if err != nil || !strings.Contains(string(raw), `"preferredVersion":{"groupVersion":"metrics.k8s.io/v1beta1"`) {
		t.Errorf("/apis/metrics.k8s.io: %v %s", err, raw)
	}
}

// TestMetricsRBAC: a namespace viewer reads its pods' metrics (view
// aggregates system:aggregated-metrics-reader) but not the nodes'.
func TestMetricsRBAC(t *testing.T) {
	f := setup(t)
	ctx := testserver.Context(t)
	viewer := "viewer-" + f.ns
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "view", Namespace: f.ns},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: viewer}},
	}
	if _, err := f.s.Client().RbacV1().RoleBindings(f.ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	m, err := metricsclient.NewForConfig(f.s.RESTConfigFor(t, viewer))
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		_, err := m.MetricsV1beta1().PodMetricses(f.ns).List(ctx, metav1.ListOptions{})
		return err
	})
	if _, err := m.MetricsV1beta1().NodeMetricses().List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("viewer lists node metrics: %v, want 403", err)
	}
}

// TestKubectl: real kubectl's top and logs work against the server.
func TestKubectl(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("no kubectl on PATH")
	}
	f := setup(t)
	ctx := testserver.Context(t)
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.CommandContext(ctx, kubectl, append([]string{"--kubeconfig", f.s.KubeconfigPath()}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("kubectl %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out := run("top", "nodes", f.node); !strings.Contains(out, f.node) || !strings.Contains(out, "250m") || !strings.Contains(out, "512Mi") || !strings.Contains(out, "12%") {
		t.Errorf("kubectl top nodes:\n%s", out)
	}
	if out := run("top", "pods", "-n", f.ns, "-l", "app=web"); !strings.Contains(out, "web") || !strings.Contains(out, "3m") || strings.Contains(out, "db") {
		t.Errorf("kubectl top pods:\n%s", out)
	}
	if out := run("logs", "web", "-n", f.ns, "--tail", "2"); !strings.Contains(out, kubelettest.LogLines[0]) {
		t.Errorf("kubectl logs:\n%s", out)
	}
}
