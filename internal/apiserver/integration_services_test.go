package apiserver_test

import (
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/hanok-dev/hanok/internal/apiserver/allocator"
	"github.com/hanok-dev/hanok/internal/testserver"
)

func testService(name string, typ corev1.ServiceType) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       corev1.ServiceSpec{Type: typ, Selector: map[string]string{"app": name}, Ports: []corev1.ServicePort{{Port: 80}}},
	}
}

// allocated tells whether the allocator's etcd key for value exists.
func allocated(t *testing.T, s *testserver.Server, prefix, value string) bool {
	t.Helper()
	resp, err := s.Etcd().Get(ctxFor(t), prefix+value)
	if err != nil {
		t.Fatal(err)
	}
	return resp.Count == 1
}

// TestServiceClusterIPs: concurrent creates never share a ClusterIP, a
// requested IP already taken is a 422 naming spec.clusterIPs[0], and a
// deleted Service's IP can be taken again.
func TestServiceClusterIPs(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	ns := s.CreateNamespace(t)
	svcs := s.Client().CoreV1().Services(ns)
	_, cidr, _ := net.ParseCIDR("10.43.0.0/16")

	var wg sync.WaitGroup
	ips := make(chan string, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc, err := svcs.Create(ctx, testService(fmt.Sprintf("svc-%d", i), ""), metav1.CreateOptions{})
			if err != nil {
				t.Errorf("create %d: %v", i, err)
				return
			}
			ips <- svc.Spec.ClusterIP
		}()
	}
	wg.Wait()
	close(ips)
	seen := map[string]bool{}
	var one string
	for ip := range ips {
		if seen[ip] {
			t.Errorf("ClusterIP %s given twice", ip)
		}
		seen[ip] = true
		if parsed := net.ParseIP(ip); parsed == nil || !cidr.Contains(parsed) || ip == "10.43.0.1" {
			t.Errorf("ClusterIP %q not a free address of 10.43.0.0/16", ip)
		}
		one = ip
	}
	if len(seen) != 20 {
		t.Fatalf("%d distinct IPs, want 20", len(seen))
	}

	taken := testService("taken", "")
	taken.Spec.ClusterIP = one
	_, err := svcs.Create(ctx, taken, metav1.CreateOptions{})
	if !apierrors.IsInvalid(err) || !hasCause(err, "spec.clusterIPs[0]") {
		t.Errorf("requesting a taken IP: %v, want 422 on spec.clusterIPs[0]", err)
	}
	outside := testService("outside", "")
	outside.Spec.ClusterIP = "192.168.0.10"
	if _, err := svcs.Create(ctx, outside, metav1.CreateOptions{}); !apierrors.IsInvalid(err) || !hasCause(err, "spec.clusterIPs[0]") {
		t.Errorf("requesting an IP outside the range: %v, want 422 on spec.clusterIPs[0]", err)
	}

	// Delete gives the IP back.
	mine := testService("mine", "")
	mine.Spec.ClusterIP = "10.43.200.7"
	if _, err := svcs.Create(ctx, mine, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := svcs.Delete(ctx, "mine", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if allocated(t, s, allocator.ServiceIPsPrefix, "10.43.200.7") {
		t.Error("deleted Service's IP still allocated")
	}
	mine.ResourceVersion = ""
	if _, err := svcs.Create(ctx, mine, metav1.CreateOptions{}); err != nil {
		t.Errorf("reusing a released IP: %v", err)
	}

	// Headless Services and dry runs take nothing.
	headless := testService("headless", "")
	headless.Spec.ClusterIP = corev1.ClusterIPNone
	if out, err := svcs.Create(ctx, headless, metav1.CreateOptions{}); err != nil || out.Spec.ClusterIP != corev1.ClusterIPNone {
		t.Errorf("headless: %v %v", err, out)
	}
	dry := testService("dry", "")
	dry.Spec.ClusterIP = "10.43.200.8"
	if _, err := svcs.Create(ctx, dry, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err != nil {
		t.Fatal(err)
	}
	if allocated(t, s, allocator.ServiceIPsPrefix, "10.43.200.8") {
		t.Error("dry-run create kept its IP")
	}
}

func hasCause(err error, field string) bool {
	st, ok := err.(apierrors.APIStatus)
	if !ok || st.Status().Details == nil {
		return false
	}
	for _, c := range st.Status().Details.Causes {
		if c.Field == field {
			return true
		}
	}
	return false
}

// TestServiceNodePorts: NodePorts come from 30000-32767, a taken one is a
// 422 naming the port, and they are given back when the Service goes or no
// longer needs them.
func TestServiceNodePorts(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	ns := s.CreateNamespace(t)
	svcs := s.Client().CoreV1().Services(ns)
	first, err := svcs.Create(ctx, testService("np", corev1.ServiceTypeNodePort), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	port := first.Spec.Ports[0].NodePort
	if port < 30000 || port > 32767 {
		t.Fatalf("nodePort %d outside 30000-32767", port)
	}
	value := strconv.Itoa(int(port))
	if !allocated(t, s, allocator.ServiceNodePortsPrefix, value) {
		t.Errorf("nodePort %d not recorded as allocated", port)
	}
	second := testService("np2", corev1.ServiceTypeNodePort)
	second.Spec.Ports[0].NodePort = port
	if _, err := svcs.Create(ctx, second, metav1.CreateOptions{}); !apierrors.IsInvalid(err) || !hasCause(err, "spec.ports[0].nodePort") {
		t.Errorf("requesting a taken nodePort: %v, want 422 on spec.ports[0].nodePort", err)
	}
	if err := svcs.Delete(ctx, "np", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if allocated(t, s, allocator.ServiceNodePortsPrefix, value) {
		t.Errorf("nodePort %d still allocated after delete", port)
	}
	if _, err := svcs.Create(ctx, second, metav1.CreateOptions{}); err != nil {
		t.Errorf("taking a released nodePort: %v", err)
	}

	// NodePort -> ClusterIP gives the port back.
	if _, err := svcs.Patch(ctx, "np2", types.MergePatchType, []byte(`{"spec":{"type":"ClusterIP"}}`), metav1.PatchOptions{}); err != nil {
		t.Fatalf("to ClusterIP: %v", err)
	}
	if allocated(t, s, allocator.ServiceNodePortsPrefix, value) {
		t.Errorf("nodePort %d still allocated after the Service became ClusterIP", port)
	}
	// ClusterIP -> NodePort takes one; adding a port takes another.
	out, err := svcs.Patch(ctx, "np2", types.MergePatchType, []byte(`{"spec":{"type":"NodePort"}}`), metav1.PatchOptions{})
	if err != nil {
		t.Fatalf("to NodePort: %v", err)
	}
	if p := out.Spec.Ports[0].NodePort; p == 0 || !allocated(t, s, allocator.ServiceNodePortsPrefix, strconv.Itoa(int(p))) {
		t.Errorf("nodePort %d after becoming NodePort", p)
	}
	// An update refused by validation keeps no new port.
	before := countKeys(t, s, allocator.ServiceNodePortsPrefix)
	_, err = svcs.Patch(ctx, "np2", types.StrategicMergePatchType,
		[]byte(`{"spec":{"sessionAffinity":"Sometimes","ports":[{"port":81,"name":"b"},{"port":80,"name":"a"}]}}`), metav1.PatchOptions{})
	if !apierrors.IsInvalid(err) {
		t.Fatalf("invalid update: %v, want 422", err)
	}
	if after := countKeys(t, s, allocator.ServiceNodePortsPrefix); after != before {
		t.Errorf("a refused update leaked node ports: %d allocated before, %d after", before, after)
	}
	// ClusterIP -> ExternalName gives the IP back.
	ip := out.Spec.ClusterIP
	if _, err := svcs.Patch(ctx, "np2", types.MergePatchType, []byte(`{"spec":{"type":"ExternalName","externalName":"db.example.com"}}`), metav1.PatchOptions{}); err != nil {
		t.Fatalf("to ExternalName: %v", err)
	}
	if allocated(t, s, allocator.ServiceIPsPrefix, ip) {
		t.Errorf("ClusterIP %s still allocated after the Service became ExternalName", ip)
	}
	if countKeys(t, s, allocator.ServiceNodePortsPrefix) != before-1 {
		t.Errorf("node ports still allocated after the Service became ExternalName")
	}
	// ExternalName -> ClusterIP takes an address again.
	out, err = svcs.Patch(ctx, "np2", types.MergePatchType, []byte(`{"spec":{"type":"ClusterIP","externalName":null}}`), metav1.PatchOptions{})
	if err != nil {
		t.Fatalf("back to ClusterIP: %v", err)
	}
	if out.Spec.ClusterIP == "" || !allocated(t, s, allocator.ServiceIPsPrefix, out.Spec.ClusterIP) {
		t.Errorf("ClusterIP %q after leaving ExternalName, want a fresh allocated one", out.Spec.ClusterIP)
	}

	// A LoadBalancer may opt out of node ports.
	lb := testService("lb", corev1.ServiceTypeLoadBalancer)
	lb.Spec.AllocateLoadBalancerNodePorts = ptr(false)
	if out, err := svcs.Create(ctx, lb, metav1.CreateOptions{}); err != nil || out.Spec.Ports[0].NodePort != 0 {
		t.Errorf("LoadBalancer without node ports: %v, nodePort %d", err, out.Spec.Ports[0].NodePort)
	}
	// Dry-run updates keep nothing.
	before = countKeys(t, s, allocator.ServiceNodePortsPrefix)
	if _, err := svcs.Patch(ctx, "np2", types.MergePatchType, []byte(`{"spec":{"type":"NodePort"}}`), metav1.PatchOptions{DryRun: []string{metav1.DryRunAll}}); err != nil {
		t.Fatal(err)
	}
	if after := countKeys(t, s, allocator.ServiceNodePortsPrefix); after != before {
		t.Errorf("a dry-run update kept node ports: %d before, %d after", before, after)
	}
}

func countKeys(t *testing.T, s *testserver.Server, prefix string) int64 {
	t.Helper()
	resp, err := s.Etcd().Get(ctxFor(t), prefix, clientv3WithPrefix()...)
	if err != nil {
		t.Fatal(err)
	}
	return resp.Count
}
