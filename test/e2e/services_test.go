package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// testServices reaches the web Deployment through a ClusterIP Service by
// its DNS name, spread over its pods, and resolves a headless Service to
// one address per ready pod, from inside a pod.
func testServices(t *testing.T, s *server, ns string) {
	s.mustKubectl("-n", ns, "expose", "deployment", "web", "--port", "80", "--target-port", "8080")
	s.mustKubectl("-n", ns, "create", "service", "clusterip", "web-headless", "--clusterip", "None", "--tcp", "8080:8080")
	s.mustKubectl("-n", ns, "patch", "service", "web-headless", "--type", "merge", "-p", `{"spec":{"selector":{"app":"web"}}}`)
	s.mustKubectl("-n", ns, "run", "client", "--image", busyboxImage, "--restart", "Never", "--", "sleep", "600")
	s.waitPodField(ns, "client", "{.status.phase}", "Running", 60*time.Second)
	exec := func(cmd string) (string, error) {
		return s.kubectl("-n", ns, "exec", "client", "--", "sh", "-c", cmd)
	}
	eventually(t, 30*time.Second, "cluster DNS answers kubernetes.default", func() error {
		out, err := exec("nslookup kubernetes.default.svc.cluster.local")
		if err != nil || !strings.Contains(out, "10.43.0.1") {
			return fmt.Errorf("%v: %s", err, out)
		}
		return nil
	})
	contains(t, s.mustKubectl("-n", ns, "exec", "client", "--", "cat", "/etc/resolv.conf"),
		"nameserver 10.43.0.10", "search "+ns+".svc.cluster.local svc.cluster.local cluster.local", "ndots:5")
	// Short names go through the search list.
	eventually(t, 30*time.Second, "the web Service by its short name", func() error {
		out, err := exec("timeout 5 wget -qO- http://web/")
		if err != nil || !strings.Contains(out, "host=web-") {
			return fmt.Errorf("%v: %s", err, out)
		}
		return nil
	})
	hosts := map[string]bool{}
	for range 30 {
		out, err := exec("timeout 5 wget -qO- http://web." + ns + ".svc.cluster.local/")
		if err != nil {
			t.Fatalf("fetch through the Service: %v", err)
		}
		hosts[strings.Fields(out)[0]] = true
	}
	if len(hosts) < 2 {
		t.Fatalf("30 requests through the Service reached only %v: no spreading", hosts)
	}
	podIPs := strings.Fields(s.jsonpath("pods", "{.items[*].status.podIP}", "-n", ns, "-l", "app=web"))
	eventually(t, 30*time.Second, "the headless Service resolves to every ready pod", func() error {
		out, err := exec("nslookup web-headless." + ns + ".svc.cluster.local")
		for _, ip := range podIPs {
			if err != nil || !strings.Contains(out, ip) {
				slices, _ := s.kubectl("-n", ns, "get", "endpointslices,svc", "-o", "wide")
				return fmt.Errorf("%v: %s lacks %s; %s", err, out, ip, slices)
			}
		}
		return nil
	})
	// A virtual IP answers no ping: only its ports are forwarded.
	clusterIP := s.jsonpath("service/web", "{.spec.clusterIP}", "-n", ns)
	if out, err := exec("ping -c 1 -W 2 " + clusterIP); err == nil {
		t.Fatalf("ping to the ClusterIP %s answered: %s", clusterIP, out)
	}
	s.mustKubectl("-n", ns, "delete", "pod", "client", "--grace-period", "1")
}
