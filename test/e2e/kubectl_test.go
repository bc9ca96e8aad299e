package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

const appYAML = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  color: blue
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: shop
stringData:
  password: hunter2
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: busybox:1.36
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  labels:
    app: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
`

// TestKubectlTour walks through what a user does first with a new cluster,
// with real kubectl and its default flags.
func TestKubectlTour(t *testing.T) {
	s := startServer(t)

	out, err := s.kubectlIn(appYAML, "apply", "-f", "-")
	if err != nil {
		t.Fatal(err)
	}
	contains(t, out, "namespace/shop created", "configmap/settings created", "secret/creds created",
		"deployment.apps/web created", "service/web created")
	// Applying again changes nothing.
	out, err = s.kubectlIn(appYAML, "apply", "-f", "-")
	if err != nil {
		t.Fatal(err)
	}
	contains(t, out, "deployment.apps/web unchanged", "service/web unchanged")

	t.Run("get", func(t *testing.T) {
		out := s.mustKubectl("get", "deploy,svc,cm", "-n", "shop")
		contains(t, out, "NAME", "READY", "UP-TO-DATE", "AVAILABLE", "deployment.apps/web",
			"TYPE", "CLUSTER-IP", "service/web", "ClusterIP", "80/TCP", "configmap/settings")
		out = s.mustKubectl("get", "svc", "web", "-n", "shop", "-o", "wide")
		contains(t, out, "SELECTOR", "app=web")
		out = s.mustKubectl("get", "cm", "settings", "-n", "shop", "-o", "yaml")
		contains(t, out, "color: blue", "resourceVersion:", "uid:", "creationTimestamp:")
		out = s.mustKubectl("get", "secret", "creds", "-n", "shop", "-o", "jsonpath={.data.password}")
		if out != "aHVudGVyMg==" {
			t.Fatalf("secret data = %q", out)
		}
		out = s.mustKubectl("get", "ns", "-o", "json")
		var list struct {
			Items []struct{ Metadata struct{ Name string } }
		}
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatal(err)
		}
		names := []string{}
		for _, i := range list.Items {
			names = append(names, i.Metadata.Name)
		}
		for _, want := range []string{"default", "kube-system", "kube-public", "kube-node-lease", "shop"} {
			if !strings.Contains(strings.Join(names, ","), want) {
				t.Fatalf("namespaces %v lack %s", names, want)
			}
		}
		out = s.mustKubectl("get", "svc", "kubernetes", "-o", "jsonpath={.spec.clusterIP}")
		if out != "10.43.0.1" {
			t.Fatalf("kubernetes service IP = %q", out)
		}
		s.mustKubectl("get", "endpoints", "kubernetes")
	})

	t.Run("describe", func(t *testing.T) {
		out := s.mustKubectl("describe", "deployment", "web", "-n", "shop")
		contains(t, out, "Name:", "web", "Replicas:", "Selector:", "app=web", "busybox:1.36")
		out = s.mustKubectl("describe", "svc", "web", "-n", "shop")
		contains(t, out, "TargetPort:", "8080/TCP")
	})

	t.Run("label annotate patch", func(t *testing.T) {
		s.mustKubectl("label", "cm", "settings", "-n", "shop", "tier=front")
		s.mustKubectl("annotate", "cm", "settings", "-n", "shop", "owner=team-a")
		out := s.mustKubectl("get", "cm", "-n", "shop", "-l", "tier=front", "-o", "name")
		contains(t, out, "configmap/settings")
		s.mustKubectl("patch", "cm", "settings", "-n", "shop", "--type", "merge", "-p", `{"data":{"size":"xl"}}`)
		s.mustKubectl("patch", "cm", "settings", "-n", "shop", "--type", "json", "-p", `[{"op":"replace","path":"/data/color","value":"red"}]`)
		s.mustKubectl("patch", "deploy", "web", "-n", "shop", "--type", "strategic", "-p",
			`{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"busybox:1.37"}]}}}}`)
		out = s.mustKubectl("get", "cm", "settings", "-n", "shop", "-o", "jsonpath={.data.color},{.data.size},{.metadata.annotations.owner}")
		if out != "red,xl,team-a" {
			t.Fatalf("configmap after patches: %q", out)
		}
		out = s.mustKubectl("get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.spec.template.spec.containers[0].image},{.metadata.generation}")
		if !strings.HasPrefix(out, "busybox:1.37,") || strings.HasSuffix(out, ",1") {
			t.Fatalf("deployment after strategic patch (image,generation): %q", out)
		}
	})

	t.Run("edit", func(t *testing.T) {
		dir := t.TempDir()
		editor := filepath.Join(dir, "editor.sh")
		if err := os.WriteFile(editor, []byte("#!/bin/sh\nsed -i 's/color: red/color: green/' \"$1\"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(kubectlBin(t), "--kubeconfig", s.kubeconfig, "edit", "cm", "settings", "-n", "shop")
		cmd.Env = append(os.Environ(), "KUBE_EDITOR="+editor)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("kubectl edit: %v\n%s", err, out)
		}
		out := s.mustKubectl("get", "cm", "settings", "-n", "shop", "-o", "jsonpath={.data.color}")
		if out != "green" {
			t.Fatalf("color after edit = %q", out)
		}
	})

	t.Run("replace with a stale resourceVersion conflicts", func(t *testing.T) {
		stale := s.mustKubectl("get", "cm", "settings", "-n", "shop", "-o", "yaml")
		s.mustKubectl("label", "cm", "settings", "-n", "shop", "rev=2")
		_, err := s.kubectlIn(stale, "replace", "-f", "-")
		if err == nil || !strings.Contains(err.Error(), "the object has been modified") {
			t.Fatalf("replace with stale resourceVersion: want Conflict, got %v", err)
		}
		out := s.mustKubectl("get", "cm", "settings", "-n", "shop", "-o", "jsonpath={.metadata.labels.rev}")
		if out != "2" {
			t.Fatalf("the conflicting replace changed the object: rev label = %q", out)
		}
	})

	t.Run("scale", func(t *testing.T) {
		s.mustKubectl("scale", "deploy", "web", "-n", "shop", "--replicas=5")
		out := s.mustKubectl("get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.spec.replicas}")
		if out != "5" {
			t.Fatalf("replicas = %q", out)
		}
	})

	t.Run("server-side apply", func(t *testing.T) {
		cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: shop\ndata:\n  a: \"1\"\n"
		out, err := s.kubectlIn(cm, "apply", "--server-side", "-f", "-")
		if err != nil {
			t.Fatal(err)
		}
		contains(t, out, "configmap/ssa serverside-applied")
		out = s.mustKubectl("get", "cm", "ssa", "-n", "shop", "-o", "jsonpath={.metadata.managedFields[0].manager}")
		if out != "kubectl" {
			t.Fatalf("managedFields manager = %q", out)
		}
		s.mustKubectl("patch", "cm", "ssa", "-n", "shop", "--type", "merge", "-p", `{"data":{"a":"2"}}`)
		_, err = s.kubectlIn(cm, "apply", "--server-side", "-f", "-")
		if err == nil || !strings.Contains(err.Error(), "conflict") {
			t.Fatalf("apply over another manager's field: want a conflict, got %v", err)
		}
		if _, err := s.kubectlIn(cm, "apply", "--server-side", "--force-conflicts", "-f", "-"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("watch", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, kubectlBin(t), "--kubeconfig", s.kubeconfig, "get", "cm", "-n", "shop", "-w")
		var buf syncBuffer
		cmd.Stdout, cmd.Stderr = &buf, &buf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
		waitFor(t, 10*time.Second, func() bool { return strings.Contains(buf.String(), "settings") })
		s.mustKubectl("create", "configmap", "watched", "-n", "shop", "--from-literal=k=v")
		waitFor(t, 10*time.Second, func() bool { return strings.Contains(buf.String(), "watched") })
	})

	t.Run("discovery and explain", func(t *testing.T) {
		out := s.mustKubectl("api-resources")
		contains(t, out, "pods", "po", "deployments", "deploy", "apps/v1", "true", "Deployment")
		out = s.mustKubectl("api-versions")
		contains(t, out, "v1\n", "apps/v1", "rbac.authorization.k8s.io/v1")
		out = s.mustKubectl("explain", "pod.spec.containers")
		contains(t, out, "FIELD: containers", "DESCRIPTION")
		out = s.mustKubectl("get", "componentstatuses")
		for _, component := range []string{"etcd-0", "controller-manager", "scheduler"} {
			if !regexp.MustCompile(`(?m)^` + component + `\s+Healthy\s`).MatchString(out) {
				t.Fatalf("%s is not Healthy:\n%s", component, out)
			}
		}
		out = s.mustKubectl("get", "--raw", "/readyz")
		if out != "ok" {
			t.Fatalf("/readyz = %q", out)
		}
		s.mustKubectl("get", "all", "-A")
	})

	t.Run("delete", func(t *testing.T) {
		s.mustKubectl("create", "configmap", "one", "-n", "shop")
		s.mustKubectl("create", "configmap", "two", "-n", "shop")
		s.mustKubectl("label", "cm", "two", "-n", "shop", "gone=yes")
		out := s.mustKubectl("delete", "cm", "one", "-n", "shop")
		contains(t, out, `configmap "one" deleted`)
		out = s.mustKubectl("delete", "cm", "-l", "gone=yes", "-n", "shop")
		contains(t, out, `configmap "two" deleted`)
		s.mustKubectl("delete", "svc", "--all", "-n", "shop")
		out = s.mustKubectl("get", "svc", "-n", "shop", "-o", "name")
		if strings.TrimSpace(out) != "" {
			t.Fatalf("services left after delete --all: %q", out)
		}
		if _, err := s.kubectl("get", "cm", "one", "-n", "shop"); err == nil || !strings.Contains(err.Error(), "NotFound") {
			t.Fatalf("deleted configmap still found: %v", err)
		}
	})
}

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func waitFor(t *testing.T, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("condition not met within %v", timeout)
}
