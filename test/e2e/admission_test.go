package e2e

import (
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestAdmissionWithKubectl: the admission chain of `hanok server` as
// kubectl sees it. The server runs its controllers, so namespaces get their
// default service account and CA ConfigMap as in any cluster.
func TestAdmissionWithKubectl(t *testing.T) {
	s := startServer(t)

	t.Run("default service account", func(t *testing.T) {
		const ns = "e2e-sa"
		s.mustKubectl("create", "namespace", ns)
		waitForDefaultServiceAccount(t, s, ns)
		s.mustKubectl("run", "plain", "-n", ns, "--image=registry.invalid/none", "--restart=Never")
		out := s.mustKubectl("get", "pod", "plain", "-n", ns, "-o", "json")
		pod := &corev1.Pod{}
		if err := json.Unmarshal([]byte(out), pod); err != nil {
			t.Fatal(err)
		}
		if pod.Spec.ServiceAccountName != "default" {
			t.Fatalf("serviceAccountName %q, want default", pod.Spec.ServiceAccountName)
		}
		var projected *corev1.ProjectedVolumeSource
		for _, v := range pod.Spec.Volumes {
			if strings.HasPrefix(v.Name, "kube-api-access-") && v.Projected != nil {
				projected = v.Projected
			}
		}
		if projected == nil {
			t.Fatalf("no kube-api-access projected volume in %s", out)
		}
		var token, ca, namespace bool
		for _, src := range projected.Sources {
			token = token || src.ServiceAccountToken != nil
			ca = ca || (src.ConfigMap != nil && src.ConfigMap.Name == "kube-root-ca.crt")
			namespace = namespace || src.DownwardAPI != nil
		}
		if !token || !ca || !namespace {
			t.Fatalf("projected volume lacks token %v, CA %v or namespace %v: %s", token, ca, namespace, out)
		}
		contains(t, out, `"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"`)
	})

	t.Run("quota under concurrent creates", func(t *testing.T) {
		const ns = "e2e-quota"
		s.mustKubectl("create", "namespace", ns)
		waitForDefaultServiceAccount(t, s, ns)
		s.mustKubectl("create", "quota", "pods", "-n", ns, "--hard=pods=2")
		const tries = 10
		errs := make([]error, tries)
		var wg sync.WaitGroup
		for i := range tries {
			wg.Go(func() {
				_, errs[i] = s.kubectl("run", fmt.Sprintf("p%d", i), "-n", ns, "--image=registry.invalid/none", "--restart=Never")
			})
		}
		wg.Wait()
		created := 0
		for _, err := range errs {
			if err == nil {
				created++
				continue
			}
			contains(t, err.Error(), "Error from server (Forbidden)", "exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2")
		}
		if created != 2 {
			t.Fatalf("%d of %d creates succeeded under a quota of 2 pods", created, tries)
		}
		pods := s.mustKubectl("get", "pods", "-n", ns, "-o", "name")
		if n := len(strings.Fields(pods)); n != 2 {
			t.Fatalf("%d pods stored, want 2:\n%s", n, pods)
		}
		contains(t, s.mustKubectl("get", "quota", "pods", "-n", ns, "-o", "jsonpath={.status.used.pods}"), "2")
	})

	t.Run("namespace being deleted", func(t *testing.T) {
		const ns = "e2e-doomed"
		s.mustKubectl("create", "namespace", ns)
		// A finalizer on an object inside holds the namespace in
		// Terminating for as long as the test needs.
		s.mustKubectl("create", "configmap", "held", "-n", ns)
		s.mustKubectl("patch", "configmap", "held", "-n", ns, "--type=merge", "-p", `{"metadata":{"finalizers":["e2e.hanok.dev/hold"]}}`)
		defer func() {
			_, _ = s.kubectl("patch", "configmap", "held", "-n", ns, "--type=merge", "-p", `{"metadata":{"finalizers":null}}`)
		}()
		s.mustKubectl("delete", "namespace", ns, "--wait=false")
		_, err := s.kubectl("create", "configmap", "late", "-n", ns)
		if err == nil {
			t.Fatal("created an object in a namespace being deleted")
		}
		contains(t, err.Error(), fmt.Sprintf(`configmaps "late" is forbidden: unable to create new content in namespace %s because it is being terminated`, ns))
	})

	t.Run("webhooks", func(t *testing.T) { testWebhooks(t, s) })
}

// testWebhooks registers a mutating and a validating webhook served by this
// test on 127.0.0.1 over HTTPS, then checks the stored mutation, a denial's
// message through kubectl, and both failure policies once the webhook is
// gone.
func testWebhooks(t *testing.T, s *server) {
	const ns = "e2e-hooks"
	s.mustKubectl("create", "namespace", ns)
	s.mustKubectl("label", "namespace", ns, "webhooks=on")
	waitForDefaultServiceAccount(t, s, ns)
	hook := startPolicyWebhook(t)
	s.mustKubectl("label", "namespace", "default", "webhooks=off", "--overwrite")

	apply := func(failurePolicy string) {
		t.Helper()
		s.mustKubectlIn(webhookConfigs(hook.url, hook.ca, failurePolicy), "apply", "-f", "-")
	}
	apply("Fail")
	// The configurations reach the server's informers a moment after
	// the apply: probe until a new pod comes back labelled.
	probe := 0
	waitFor(t, 10*time.Second, func() bool {
		probe++
		name := fmt.Sprintf("probe%d", probe)
		if _, err := s.kubectl("run", name, "-n", ns, "--image=registry.invalid/none", "--restart=Never"); err != nil {
			return false
		}
		out, _ := s.kubectl("get", "pod", name, "-n", ns, "-o", "jsonpath={.metadata.labels.webhook}")
		return out == "seen"
	})

	// A pod elsewhere is not sent (namespaceSelector).
	s.mustKubectl("run", "unhooked", "-n", "default", "--image=registry.invalid/none", "--restart=Never")
	if out := s.mustKubectl("get", "pod", "unhooked", "-o", "jsonpath={.metadata.labels.webhook}"); out != "" {
		t.Fatalf("pod outside the selector was mutated: %q", out)
	}

	_, err := s.kubectl("run", "bad", "-n", ns, "--image=registry.invalid/none", "--restart=Never", "--labels=forbidden=yes")
	if err == nil {
		t.Fatal("the validating webhook's denial did not reach kubectl")
	}
	contains(t, err.Error(), `admission webhook "deny.e2e.hanok.dev" denied the request: pods labelled forbidden are not welcome here`)

	hook.close()
	_, err = s.kubectl("run", "down-fail", "-n", ns, "--image=registry.invalid/none", "--restart=Never")
	if err == nil {
		t.Fatal("failurePolicy Fail let a pod in with the webhook down")
	}
	contains(t, err.Error(), `failed calling webhook "label.e2e.hanok.dev"`)

	apply("Ignore")
	waitFor(t, 10*time.Second, func() bool {
		_, err := s.kubectl("run", "down-ignore", "-n", ns, "--image=registry.invalid/none", "--restart=Never")
		return err == nil
	})
	s.mustKubectl("delete", "mutatingwebhookconfiguration", "e2e-label")
	s.mustKubectl("delete", "validatingwebhookconfiguration", "e2e-deny")
}

func (s *server) mustKubectlIn(stdin string, args ...string) string {
	s.t.Helper()
	out, err := s.kubectlIn(stdin, args...)
	if err != nil {
		s.t.Fatal(err)
	}
	return out
}

// waitForDefaultServiceAccount waits for the serviceaccount controller: a
// pod created before its namespace has `default` is refused, as upstream.
func waitForDefaultServiceAccount(t *testing.T, s *server, ns string) {
	t.Helper()
	waitFor(t, 20*time.Second, func() bool {
		_, err := s.kubectl("get", "serviceaccount", "default", "-n", ns)
		return err == nil
	})
}

type policyWebhook struct {
	url   string
	ca    []byte
	close func()
}

// startPolicyWebhook serves /mutate (labels every pod webhook=seen) and
// /validate (refuses pods labelled forbidden) over HTTPS on 127.0.0.1.
func startPolicyWebhook(t *testing.T) *policyWebhook {
	mux := http.NewServeMux()
	answer := func(w http.ResponseWriter, r *http.Request, decide func(pod *corev1.Pod, resp *admissionv1.AdmissionResponse)) {
		review := &admissionv1.AdmissionReview{}
		if err := json.NewDecoder(r.Body).Decode(review); err != nil || review.Request == nil {
			http.Error(w, "not an AdmissionReview", http.StatusBadRequest)
			return
		}
		pod := &corev1.Pod{}
		_ = json.Unmarshal(review.Request.Object.Raw, pod)
		resp := &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: true}
		decide(pod, resp)
		_ = json.NewEncoder(w).Encode(admissionv1.AdmissionReview{TypeMeta: review.TypeMeta, Response: resp})
	}
	mux.HandleFunc("/mutate", func(w http.ResponseWriter, r *http.Request) {
		answer(w, r, func(pod *corev1.Pod, resp *admissionv1.AdmissionResponse) {
			patch := `[{"op":"add","path":"/metadata/labels","value":{"webhook":"seen"}}]`
			if pod.Labels != nil {
				patch = `[{"op":"add","path":"/metadata/labels/webhook","value":"seen"}]`
			}
			pt := admissionv1.PatchTypeJSONPatch
			resp.Patch, resp.PatchType = []byte(patch), &pt
		})
	})
	mux.HandleFunc("/validate", func(w http.ResponseWriter, r *http.Request) {
		answer(w, r, func(pod *corev1.Pod, resp *admissionv1.AdmissionResponse) {
			if _, bad := pod.Labels["forbidden"]; bad {
				resp.Allowed = false
				resp.Result = &metav1.Status{Code: http.StatusForbidden, Message: "pods labelled forbidden are not welcome here"}
			}
		})
	})
	srv := httptest.NewTLSServer(mux) // listens on 127.0.0.1
	var once sync.Once
	closeFn := func() { once.Do(srv.Close) }
	t.Cleanup(closeFn)
	return &policyWebhook{
		url:   srv.URL,
		ca:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}),
		close: closeFn,
	}
}

// webhookConfigs is the YAML kubectl applies: one mutating and one
// validating webhook on pod creates in namespaces labelled webhooks=on.
func webhookConfigs(url string, ca []byte, failurePolicy string) string {
	bundle := base64.StdEncoding.EncodeToString(ca)
	hook := func(name, path string) string {
		return fmt.Sprintf(`webhooks:
- name: %s
  clientConfig:
    url: %s%s
    caBundle: %s
  rules:
  - operations: ["CREATE"]
    apiGroups: [""]
    apiVersions: ["v1"]
    resources: ["pods"]
  namespaceSelector:
    matchLabels: {webhooks: "on"}
  failurePolicy: %s
  sideEffects: None
  admissionReviewVersions: ["v1"]
  timeoutSeconds: 2
`, name, url, path, bundle, failurePolicy)
	}
	return `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: e2e-label
` + hook("label.e2e.hanok.dev", "/mutate") + `---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: e2e-deny
` + hook("deny.e2e.hanok.dev", "/validate")
}
