package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hanok-dev/hanok/internal/imagebuild"
)

// Images the node tests run, imported from the airgap folder: no registry.
const (
	busyboxImage = "hanok.test/busybox:1"
	webImage     = "hanok.test/web:1"
)

// writeTestImages builds the test images into the node's airgap folder.
func writeTestImages(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bb, err := imagebuild.Busybox()
	if err != nil {
		t.Skipf("the busybox test image needs Debian's busybox-static (.ci/run installs it): %v", err)
	}
	if err := imagebuild.Write(filepath.Join(dir, "busybox.tar"), busyboxImage, bb); err != nil {
		t.Fatal(err)
	}
	web, err := imagebuild.GoProgram("./testdata/web")
	if err != nil {
		t.Fatal(err)
	}
	if err := imagebuild.Write(filepath.Join(dir, "web.tar"), webImage, web); err != nil {
		t.Fatal(err)
	}
}

// eventually polls fn until it returns nil or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		if err = fn(); err == nil {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("%s: not true after %v: %v", what, timeout, err)
}

// jsonpath reads one field of an object with kubectl.
func (s *server) jsonpath(obj, path string, args ...string) string {
	out, _ := s.kubectl(append([]string{"get", obj, "-o", "jsonpath=" + path}, args...)...)
	return strings.TrimSpace(out)
}

// waitPodField waits until a pod field reads as want.
func (s *server) waitPodField(ns, pod, path, want string, timeout time.Duration) {
	s.t.Helper()
	eventually(s.t, timeout, fmt.Sprintf("pod %s/%s %s == %q", ns, pod, path, want), func() error {
		if got := s.jsonpath("pod/"+pod, path, "-n", ns); got != want {
			return fmt.Errorf("got %q", got)
		}
		return nil
	})
}

// crictl runs `hanok crictl` against the node's runtime.
func (s *server) crictl(args ...string) string {
	s.t.Helper()
	return run(s.t, hanokBin(s.t), append([]string{"crictl", "--runtime-endpoint", "unix://" + nodeSocket(s)}, args...)...)
}

func TestNodeRunsPods(t *testing.T) {
	s := startNodeServer(t)
	writeTestImages(t, s.imagesDir())
	reg := serveRegistryInNode(t, s, filepath.Dir(s.kubeconfig))
	s.startNode()
	t.Logf("node %s up", s.nodeName)
	eventually(t, 60*time.Second, "node Ready", func() error {
		if got := s.jsonpath("node/"+s.nodeName, `{.status.conditions[?(@.type=="Ready")].status}`); got != "True" {
			return fmt.Errorf("Ready=%q", got)
		}
		return nil
	})
	ns := "e2e-pods"
	s.mustKubectl("create", "namespace", ns)
	waitForDefaultServiceAccount(t, s, ns)

	t.Run("deployment", func(t *testing.T) { testDeployment(t, s, ns) })
	t.Run("services", func(t *testing.T) { testServices(t, s, ns) })
	t.Run("probes", func(t *testing.T) { testProbes(t, s, ns) })
	t.Run("failures", func(t *testing.T) { testFailures(t, s, ns) })
	t.Run("volumes", func(t *testing.T) { testVolumes(t, s, ns) })
	t.Run("delete", func(t *testing.T) { testDelete(t, s, ns) })
	t.Run("registry", func(t *testing.T) { testRegistryPull(t, s, ns, reg) })
	t.Run("restart", func(t *testing.T) { testAgentRestart(t, s, ns) })
}

func testDeployment(t *testing.T, s *server, ns string) {
	s.mustKubectl("-n", ns, "create", "deployment", "web", "--image", webImage, "--replicas", "3", "--port", "8080")
	s.mustKubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout", "120s")
	pods := strings.Fields(s.jsonpath("pods", "{.items[*].metadata.name}", "-n", ns, "-l", "app=web"))
	if len(pods) != 3 {
		t.Fatalf("want 3 web pods, got %v", pods)
	}
	pod := pods[0]

	contains(t, s.mustKubectl("-n", ns, "logs", pod), "listening on :8080")
	// kubectl cp needs tar in the container: the busybox image has it.
	s.mustKubectl("-n", ns, "run", "shell", "--image", busyboxImage, "--restart", "Never", "--", "sh", "-c", "while true; do echo tick; sleep 1; done")
	s.waitPodField(ns, "shell", "{.status.phase}", "Running", 60*time.Second)
	contains(t, s.mustKubectl("-n", ns, "exec", "shell", "--", "sh", "-c", "echo hi from $(hostname)"), "hi from shell")
	local := filepath.Join(t.TempDir(), "note.txt")
	if err := os.WriteFile(local, []byte("carried by kubectl cp\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.mustKubectl("-n", ns, "cp", local, "shell:/tmp/note.txt")
	contains(t, s.mustKubectl("-n", ns, "exec", "shell", "--", "cat", "/tmp/note.txt"), "carried by kubectl cp")
	back := filepath.Join(t.TempDir(), "back.txt")
	s.mustKubectl("-n", ns, "cp", "shell:/tmp/note.txt", back)
	if data, _ := os.ReadFile(back); !strings.Contains(string(data), "carried") {
		t.Fatalf("kubectl cp back: %q", data)
	}
	// attach streams the running process's output.
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Second)
	defer cancel()
	out, _ := exec.CommandContext(ctx, kubectlBin(t), "--kubeconfig", s.kubeconfig, "-n", ns, "attach", "shell").Output()
	contains(t, string(out), "tick")

	testPortForward(t, s, ns, pod)

	contains(t, s.crictl("ps"), "web", "shell")
	eventually(t, 90*time.Second, "kubectl top", func() error {
		if out, err := s.kubectl("top", "nodes"); err != nil || !strings.Contains(out, s.nodeName) {
			return fmt.Errorf("top nodes: %v %s", err, out)
		}
		if out, err := s.kubectl("-n", ns, "top", "pods"); err != nil || !strings.Contains(out, pod) {
			return fmt.Errorf("top pods: %v %s", err, out)
		}
		return nil
	})
	s.mustKubectl("-n", ns, "delete", "pod", "shell", "--grace-period", "1")
}

// testPortForward forwards a local 127.0.0.1 port to the pod and fetches
// through it.
func testPortForward(t *testing.T, s *server, ns, pod string) {
	port := freePort(t)
	cmd := exec.Command(kubectlBin(t), "--kubeconfig", s.kubeconfig, "-n", ns, "port-forward", "pod/"+pod, strconv.Itoa(port)+":8080")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	eventually(t, 20*time.Second, "port-forward answers", func() error {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(body), "host="+pod) {
			return fmt.Errorf("body %q", body)
		}
		return nil
	})
}

func testProbes(t *testing.T, s *server, ns string) {
	s.mustKubectlIn(`apiVersion: v1
kind: Pod
metadata: {name: liveness}
spec:
  containers:
  - name: c
    image: `+busyboxImage+`
    command: [sh, -c, "touch /tmp/healthy; sleep 3; rm /tmp/healthy; sleep 600"]
    livenessProbe:
      exec: {command: [cat, /tmp/healthy]}
      periodSeconds: 1
      failureThreshold: 1
---
apiVersion: v1
kind: Pod
metadata: {name: readiness}
spec:
  containers:
  - name: c
    image: `+busyboxImage+`
    command: [sleep, "600"]
    readinessProbe:
      exec: {command: [test, -f, /tmp/ready]}
      periodSeconds: 1
`, "-n", ns, "apply", "-f", "-")
	eventually(t, 60*time.Second, "liveness restarts the container", func() error {
		if n, _ := strconv.Atoi(s.jsonpath("pod/liveness", "{.status.containerStatuses[0].restartCount}", "-n", ns)); n < 1 {
			return fmt.Errorf("restartCount %d", n)
		}
		return nil
	})
	s.waitPodField(ns, "readiness", "{.status.phase}", "Running", 60*time.Second)
	if got := s.jsonpath("pod/readiness", `{.status.conditions[?(@.type=="Ready")].status}`, "-n", ns); got != "False" {
		t.Fatalf("readiness pod Ready=%q before its probe passes", got)
	}
	s.mustKubectl("-n", ns, "exec", "readiness", "--", "touch", "/tmp/ready")
	s.waitPodField(ns, "readiness", `{.status.conditions[?(@.type=="Ready")].status}`, "True", 30*time.Second)
	s.mustKubectl("-n", ns, "delete", "pod", "liveness", "readiness", "--grace-period", "1")
}

func testFailures(t *testing.T, s *server, ns string) {
	s.mustKubectlIn(`apiVersion: v1
kind: Pod
metadata: {name: hog}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: `+busyboxImage+`
    command: [sh, -c, "head -c 200m /dev/zero | tail"]
    resources: {limits: {memory: 32Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: crasher}
spec:
  containers:
  - name: c
    image: `+busyboxImage+`
    command: [sh, -c, "echo crashing; exit 3"]
`, "-n", ns, "apply", "-f", "-")
	s.waitPodField(ns, "hog", "{.status.containerStatuses[0].state.terminated.reason}", "OOMKilled", 60*time.Second)
	eventually(t, 60*time.Second, "CrashLoopBackOff", func() error {
		reason := s.jsonpath("pod/crasher", "{.status.containerStatuses[0].state.waiting.reason}", "-n", ns)
		n, _ := strconv.Atoi(s.jsonpath("pod/crasher", "{.status.containerStatuses[0].restartCount}", "-n", ns))
		if reason != "CrashLoopBackOff" || n < 2 {
			return fmt.Errorf("reason %q restarts %d", reason, n)
		}
		return nil
	})
	if got := s.jsonpath("pod/crasher", "{.status.containerStatuses[0].lastState.terminated.exitCode}", "-n", ns); got != "3" {
		t.Fatalf("crasher lastState exit code %q, want 3", got)
	}
	contains(t, s.mustKubectl("-n", ns, "logs", "crasher", "--previous"), "crashing")
	events := s.mustKubectl("-n", ns, "get", "events", "--field-selector", "involvedObject.name=crasher")
	contains(t, events, "BackOff", "Back-off restarting failed container")
	s.mustKubectl("-n", ns, "delete", "pod", "hog", "crasher", "--grace-period", "1")
}

func testVolumes(t *testing.T, s *server, ns string) {
	s.mustKubectl("-n", ns, "create", "configmap", "settings", "--from-literal", "color=blue")
	s.mustKubectl("-n", ns, "create", "secret", "generic", "creds", "--from-literal", "password=hunter2")
	s.mustKubectlIn(`apiVersion: v1
kind: Pod
metadata: {name: vols, labels: {tier: e2e}}
spec:
  containers:
  - name: c
    image: `+busyboxImage+`
    command: [sleep, "600"]
    env:
    - {name: COLOR, valueFrom: {configMapKeyRef: {name: settings, key: color}}}
    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    volumeMounts:
    - {name: cm, mountPath: /etc/cm}
    - {name: sec, mountPath: /etc/sec}
    - {name: info, mountPath: /etc/info}
    - {name: scratch, mountPath: /scratch}
  volumes:
  - {name: cm, configMap: {name: settings}}
  - {name: sec, secret: {secretName: creds}}
  - {name: scratch, emptyDir: {medium: Memory}}
  - name: info
    downwardAPI:
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: name, fieldRef: {fieldPath: metadata.name}}
`, "-n", ns, "apply", "-f", "-")
	s.waitPodField(ns, "vols", "{.status.phase}", "Running", 60*time.Second)
	cat := func(path string) string { return s.mustKubectl("-n", ns, "exec", "vols", "--", "cat", path) }
	if got := cat("/etc/cm/color"); got != "blue" {
		t.Fatalf("configMap volume: %q", got)
	}
	if got := cat("/etc/sec/password"); got != "hunter2" {
		t.Fatalf("secret volume: %q", got)
	}
	contains(t, cat("/etc/info/labels"), `tier="e2e"`)
	contains(t, cat("/etc/info/name"), "vols")
	contains(t, s.mustKubectl("-n", ns, "exec", "vols", "--", "sh", "-c", "echo $COLOR $POD_NAME"), "blue vols")
	contains(t, s.mustKubectl("-n", ns, "exec", "vols", "--", "sh", "-c", "grep ' /scratch ' /proc/mounts"), "tmpfs")
	// The projected service-account token, CA and namespace.
	sa := "/var/run/secrets/kubernetes.io/serviceaccount"
	if got := cat(sa + "/namespace"); got != ns {
		t.Fatalf("projected namespace: %q", got)
	}
	contains(t, cat(sa+"/ca.crt"), "BEGIN CERTIFICATE")
	token := strings.TrimSpace(cat(sa + "/token"))
	review := s.mustKubectlIn(`{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"`+token+`"}}`,
		"create", "--validate=false", "-f", "-", "-o", "jsonpath={.status.user.username}")
	if review != "system:serviceaccount:"+ns+":default" {
		t.Fatalf("the mounted token is %q", review)
	}
	// An update of the configMap reaches the running pod.
	s.mustKubectlIn(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"color":"green"}}`, "-n", ns, "apply", "-f", "-")
	eventually(t, 120*time.Second, "configMap update reaches the pod", func() error {
		if got, _ := s.kubectl("-n", ns, "exec", "vols", "--", "cat", "/etc/cm/color"); got != "green" {
			return fmt.Errorf("got %q", got)
		}
		return nil
	})
	s.mustKubectl("-n", ns, "delete", "pod", "vols", "--grace-period", "1")
}

func testDelete(t *testing.T, s *server, ns string) {
	s.mustKubectlIn(`apiVersion: v1
kind: Pod
metadata: {name: doomed}
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: c
    image: `+busyboxImage+`
    command: [sh, -c, "trap '' TERM; sleep 600"]
`, "-n", ns, "apply", "-f", "-")
	s.waitPodField(ns, "doomed", "{.status.phase}", "Running", 60*time.Second)
	ip := s.jsonpath("pod/doomed", "{.status.podIP}", "-n", ns)
	sandbox := strings.TrimSpace(s.crictl("pods", "-q", "--name", "doomed"))
	if sandbox == "" {
		t.Fatal("crictl does not list the doomed pod's sandbox")
	}
	start := time.Now()
	s.mustKubectl("-n", ns, "delete", "pod", "doomed", "--timeout", "30s")
	// The container ignores SIGTERM, so it is killed at the end of its
	// 5 s grace period, not later.
	if took := time.Since(start); took > 20*time.Second {
		t.Fatalf("deleting a pod with a 5s grace period took %v", took)
	}
	eventually(t, 20*time.Second, "sandbox removed", func() error {
		if out := strings.TrimSpace(s.crictl("pods", "-q", "--name", "doomed")); out != "" {
			return fmt.Errorf("sandbox still listed: %s", out)
		}
		return nil
	})
	if ip != "" {
		matches, _ := filepath.Glob(filepath.Join(s.dataDir, "agent", "cni", "networks", "*", ip))
		if len(matches) > 0 {
			t.Fatalf("the pod IP %s is still allocated: %v", ip, matches)
		}
	}
}

// testAgentRestart restarts hanok, then kills containerd: running pods keep
// running, and the node converges with no duplicate containers.
func testAgentRestart(t *testing.T, s *server, ns string) {
	before := strings.Fields(s.crictl("ps", "-q"))
	if len(before) < 3 {
		t.Fatalf("want the web containers running, crictl ps -q: %v", before)
	}
	s.stop()
	s.start()
	eventually(t, 60*time.Second, "node Ready after restart", func() error {
		if got := s.jsonpath("node/"+s.nodeName, `{.status.conditions[?(@.type=="Ready")].status}`); got != "True" {
			return fmt.Errorf("Ready=%q", got)
		}
		return nil
	})
	time.Sleep(5 * time.Second) // a few kubelet sync rounds
	after := strings.Fields(s.crictl("ps", "-q"))
	if strings.Join(after, ",") != strings.Join(before, ",") {
		t.Fatalf("containers changed across an agent restart:\nbefore %v\nafter  %v", before, after)
	}
	// containerd killed: the supervisor restarts it, the containers stay.
	pid := containerdPID(t, s)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "containerd restarted", func() error {
		if p := containerdPID(t, s); p == 0 || p == pid {
			return fmt.Errorf("containerd pid %d", p)
		}
		return nil
	})
	time.Sleep(5 * time.Second)
	if again := strings.Fields(s.crictl("ps", "-q")); strings.Join(again, ",") != strings.Join(before, ",") {
		t.Fatalf("containers changed after containerd was killed:\nbefore %v\nafter  %v", before, again)
	}
	s.mustKubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout", "60s")
}
