package webhook_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

func ptr[T any](v T) *T { return &v }

// policyServer is the webhook of the end-to-end test, on 127.0.0.1 over
// HTTPS: /mutate labels every pod "webhook=seen"; /validate refuses pods
// labelled "forbidden".
func policyServer(t *testing.T) (url string, caBundle []byte) {
	mux := http.NewServeMux()
	answer := func(w http.ResponseWriter, r *http.Request, decide func(pod *corev1.Pod, resp *admissionv1.AdmissionResponse)) {
		review := &admissionv1.AdmissionReview{}
		if err := json.NewDecoder(r.Body).Decode(review); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
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
			resp.Patch, resp.PatchType = []byte(patch), ptr(admissionv1.PatchTypeJSONPatch)
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
	srv := httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
}

var podRules = []admissionregistrationv1.RuleWithOperations{{
	Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
	Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"}},
}}

// TestEndToEnd registers real webhooks through the API and checks what
// clients see: the mutation in the stored object, a denial's message
// (through client-go and kubectl), and failurePolicy Ignore and Fail when
// the webhook is down.
func TestEndToEnd(t *testing.T) {
	client, serverURL := startAPIServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	url, ca := policyServer(t)
	ns := createNamespace(ctx, t, client, "webhooks", map[string]string{"webhooks": "on"})
	otherNS := createNamespace(ctx, t, client, "elsewhere", nil)
	onlyLabelled := &metav1.LabelSelector{MatchLabels: map[string]string{"webhooks": "on"}}

	_, err := client.AdmissionregistrationV1().MutatingWebhookConfigurations().Create(ctx, &admissionregistrationv1.MutatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "label-pods"},
		Webhooks: []admissionregistrationv1.MutatingWebhook{{
			Name: "label.e2e.example.com", ClientConfig: admissionregistrationv1.WebhookClientConfig{URL: ptr(url + "/mutate"), CABundle: ca},
			Rules: podRules, SideEffects: ptr(admissionregistrationv1.SideEffectClassNone), AdmissionReviewVersions: []string{"v1"},
			NamespaceSelector: onlyLabelled,
		}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	vwc, err := client.AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(ctx, &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "refuse-pods"},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name: "refuse.e2e.example.com", ClientConfig: admissionregistrationv1.WebhookClientConfig{URL: ptr(url + "/validate"), CABundle: ca},
			Rules: podRules, SideEffects: ptr(admissionregistrationv1.SideEffectClassNone), AdmissionReviewVersions: []string{"v1"},
			NamespaceSelector: onlyLabelled,
		}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if vwc.Webhooks[0].FailurePolicy == nil || *vwc.Webhooks[0].FailurePolicy != admissionregistrationv1.Fail {
		t.Errorf("stored configuration not defaulted: %+v", vwc.Webhooks[0])
	}

	// The informers see the configurations a moment after they are
	// written: retry the first write until the mutation shows.
	var pod *corev1.Pod
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; ; i++ {
		pod, err = client.CoreV1().Pods(ns).Create(ctx, newPod(fmt.Sprintf("web-%d", i), nil), metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if pod.Labels["webhook"] == "seen" || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	stored, err := client.CoreV1().Pods(ns).Get(ctx, pod.Name, metav1.GetOptions{})
	if err != nil || stored.Labels["webhook"] != "seen" {
		t.Fatalf("stored pod labels %v (%v): the mutating webhook's patch is missing", stored.Labels, err)
	}

	// Outside the selected namespace neither webhook is called.
	other, err := client.CoreV1().Pods(otherNS).Create(ctx, newPod("free", map[string]string{"forbidden": "yes"}), metav1.CreateOptions{})
	if err != nil || other.Labels["webhook"] != "" {
		t.Errorf("pod outside the selector: %v, labels %v", err, other.Labels)
	}

	// A denial carries the webhook's message and code.
	_, err = client.CoreV1().Pods(ns).Create(ctx, newPod("bad", map[string]string{"forbidden": "yes"}), metav1.CreateOptions{})
	wantMsg := `admission webhook "refuse.e2e.example.com" denied the request: pods labelled forbidden are not welcome here`
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), wantMsg) {
		t.Errorf("got %v, want 403 %q", err, wantMsg)
	}
	if kubectl, lookErr := exec.LookPath("kubectl"); lookErr == nil {
		cmd := exec.CommandContext(ctx, kubectl, "--server", serverURL, "-n", ns, "run", "bad2", "--image=busybox", "--labels=forbidden=yes")
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), wantMsg) {
			t.Errorf("kubectl run: %v\n%s", err, out)
		}
	}

	// The webhook goes down: Fail refuses, Ignore lets the write through.
	down := closedURL(t)
	for _, tt := range []struct {
		policy  admissionregistrationv1.FailurePolicyType
		wantErr string
	}{
		{admissionregistrationv1.Fail, `Internal error occurred: failed calling webhook "refuse.e2e.example.com": failed to call webhook`},
		{admissionregistrationv1.Ignore, ""},
	} {
		t.Run(string(tt.policy), func(t *testing.T) {
			cur, err := client.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(ctx, "refuse-pods", metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			cur.Webhooks[0].ClientConfig.URL = &down
			cur.Webhooks[0].FailurePolicy = &tt.policy
			if _, err := client.AdmissionregistrationV1().ValidatingWebhookConfigurations().Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
			// Wait for the informer: the answer changes once it has the update.
			var err2 error
			deadline := time.Now().Add(10 * time.Second)
			for i := 0; time.Now().Before(deadline); i++ {
				_, err2 = client.CoreV1().Pods(ns).Create(ctx, newPod(fmt.Sprintf("down-%s-%d", strings.ToLower(string(tt.policy)), i), nil),
					metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
				if (tt.wantErr == "") == (err2 == nil) && (err2 == nil || strings.Contains(err2.Error(), tt.wantErr)) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if tt.wantErr == "" && err2 != nil {
				t.Errorf("refused under Ignore: %v", err2)
			}
			if tt.wantErr != "" && (!apierrors.IsInternalError(err2) || !strings.Contains(err2.Error(), tt.wantErr)) {
				t.Errorf("got %v, want 500 %q", err2, tt.wantErr)
			}
		})
	}

	// A broken webhook never blocks its own removal.
	if err := client.AdmissionregistrationV1().ValidatingWebhookConfigurations().Delete(ctx, "refuse-pods", metav1.DeleteOptions{}); err != nil {
		t.Errorf("deleting the configuration: %v", err)
	}
}

func createNamespace(ctx context.Context, t *testing.T, client kubernetes.Interface, name string, labels map[string]string) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	if _, err := client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	return name
}

func newPod(name string, labels map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}},
	}
}

func closedURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "https://" + addr + "/validate"
}
