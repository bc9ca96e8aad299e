package staticpod

import (
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
)

const podYAML = `apiVersion: v1
kind: Pod
metadata:
  name: etcd
  namespace: kube-system
  labels: {component: etcd}
spec:
  priorityClassName: system-node-critical
  hostNetwork: true
  containers:
  - name: etcd
    image: registry.local/etcd:3.6
    livenessProbe:
      httpGet: {path: /health, port: 2381}
`

const podJSON = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},
 "spec":{"containers":[{"name":"web","image":"nginx"}]}}`

const podListYAML = `apiVersion: v1
kind: PodList
items:
- metadata: {name: a}
  spec: {containers: [{name: c, image: busybox:1.36}]}
- metadata: {name: b}
  spec: {containers: [{name: c, image: busybox:1.36}]}
`

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       []string // namespace/name
		err        string
	}{
		{name: "yaml pod", data: podYAML, want: []string{"kube-system/etcd-node-1"}},
		{name: "json pod, namespace defaulted", data: podJSON, want: []string{"default/web-node-1"}},
		{name: "pod list", data: podListYAML, want: []string{"default/a-node-1", "default/b-node-1"}},
		{name: "not a pod", data: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", err: "want a Pod"},
		{name: "garbage", data: "{{{", err: ""},
		{name: "no name", data: "apiVersion: v1\nkind: Pod\nspec: {containers: [{name: c, image: i}]}\n", err: "no name"},
		{name: "no containers", data: "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {}\n", err: "invalid pod"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pods, err := decode([]byte(tc.data), "node-1")
			if tc.want == nil {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range pods {
				got = append(got, p.Namespace+"/"+p.Name)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("pods = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	pods, err := decode([]byte(podYAML), "node-1")
	if err != nil {
		t.Fatal(err)
	}
	p := pods[0]
	if p.Spec.NodeName != "node-1" || p.Status.Phase != v1.PodPending {
		t.Errorf("nodeName %q phase %q", p.Spec.NodeName, p.Status.Phase)
	}
	if len(p.UID) != 32 || p.Annotations[ConfigHashAnnotation] != string(p.UID) || p.Annotations[ConfigSourceAnnotation] != "file" {
		t.Errorf("uid %q annotations %v", p.UID, p.Annotations)
	}
	if !IsStatic(p) || IsMirror(p) {
		t.Error("IsStatic/IsMirror wrong")
	}
	if p.Labels["component"] != "etcd" {
		t.Errorf("labels = %v", p.Labels)
	}
	s := p.Spec
	if s.RestartPolicy != v1.RestartPolicyAlways || s.DNSPolicy != v1.DNSClusterFirst || *s.TerminationGracePeriodSeconds != 30 ||
		s.SchedulerName != v1.DefaultSchedulerName || s.SecurityContext == nil || s.EnableServiceLinks == nil || !*s.EnableServiceLinks {
		t.Errorf("pod defaults missing: %+v", s)
	}
	c := s.Containers[0]
	if c.ImagePullPolicy != v1.PullIfNotPresent || c.TerminationMessagePath != v1.TerminationMessagePathDefault ||
		c.TerminationMessagePolicy != v1.TerminationMessageReadFile {
		t.Errorf("container defaults missing: %+v", c)
	}
	if pr := c.LivenessProbe; pr.PeriodSeconds != 10 || pr.TimeoutSeconds != 1 || pr.FailureThreshold != 3 || pr.HTTPGet.Scheme != v1.URISchemeHTTP {
		t.Errorf("probe defaults missing: %+v", pr)
	}
	if s.Priority == nil || *s.Priority != 2000001000 {
		t.Errorf("priority = %v, want system-node-critical's", s.Priority)
	}
	tolerates := false
	for _, tol := range s.Tolerations {
		tolerates = tolerates || (tol.Operator == v1.TolerationOpExists && tol.Effect == v1.TaintEffectNoExecute && tol.Key == "")
	}
	if !tolerates {
		t.Errorf("tolerations = %v, want every NoExecute taint tolerated", s.Tolerations)
	}

	latest, _ := decode([]byte(podJSON), "node-1")
	if pol := latest[0].Spec.Containers[0].ImagePullPolicy; pol != v1.PullAlways {
		t.Errorf("untagged image pull policy = %s, want Always", pol)
	}
	if latest[0].Spec.Priority != nil {
		t.Errorf("priority without a class = %d", *latest[0].Spec.Priority)
	}
}

func TestUIDFromContentAndNode(t *testing.T) {
	uid := func(data, node string) string {
		pods, err := decode([]byte(data), node)
		if err != nil {
			t.Fatal(err)
		}
		return string(pods[0].UID)
	}
	a := uid(podJSON, "n1")
	if uid(podJSON, "n1") != a {
		t.Error("same manifest, same node: different UIDs")
	}
	if uid(podJSON, "n2") == a {
		t.Error("another node: same UID")
	}
	if uid(strings.Replace(podJSON, `"nginx"`, `"nginx:1.27"`, 1), "n1") == a {
		t.Error("edited manifest: same UID")
	}
	if uid(strings.Replace(podJSON, "\n ", "\n      ", 1), "n1") != a {
		t.Error("whitespace alone changed the UID")
	}
	withUID := strings.Replace(podJSON, `"name":"web"`, `"name":"web","uid":"fixed"`, 1)
	if uid(withUID, "n1") != "fixed" {
		t.Error("a UID given in the manifest is not kept")
	}
}
