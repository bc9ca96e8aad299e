package webhook

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

func ptr[T any](v T) *T { return &v }

// fakeWebhook is a real HTTPS webhook on 127.0.0.1 answering with respond.
type fakeWebhook struct {
	srv     *httptest.Server
	respond func(*admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse

	mu       sync.Mutex
	requests []*admissionv1.AdmissionRequest
	queries  []string
}

func startWebhook(t *testing.T, respond func(*admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse) *fakeWebhook {
	t.Helper()
	f := &fakeWebhook{respond: respond}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeWebhook) serve(w http.ResponseWriter, r *http.Request) {
	review := &admissionv1.AdmissionReview{}
	if err := json.NewDecoder(r.Body).Decode(review); err != nil || review.Request == nil {
		http.Error(w, "bad review", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, review.Request)
	f.queries = append(f.queries, r.URL.RawQuery)
	f.mu.Unlock()
	resp := f.respond(review.Request)
	if resp.UID == "" {
		resp.UID = review.Request.UID
	}
	out := admissionv1.AdmissionReview{TypeMeta: review.TypeMeta, Response: resp}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func (f *fakeWebhook) url(path string) string { return f.srv.URL + path }

func (f *fakeWebhook) caBundle() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.srv.Certificate().Raw})
}

func (f *fakeWebhook) calls() []*admissionv1.AdmissionRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*admissionv1.AdmissionRequest(nil), f.requests...)
}

func allow(*admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	return &admissionv1.AdmissionResponse{Allowed: true}
}

// closedURL is an https URL nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "https://" + addr + "/"
}

// podRule matches creates and updates of pods.
var podRule = admissionregistrationv1.RuleWithOperations{
	Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
	Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"}},
}

func validatingHook(name, url string, ca []byte, change ...func(*admissionregistrationv1.ValidatingWebhook)) admissionregistrationv1.ValidatingWebhook {
	h := admissionregistrationv1.ValidatingWebhook{
		Name:                    name,
		ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: ca},
		Rules:                   []admissionregistrationv1.RuleWithOperations{podRule},
		SideEffects:             ptr(admissionregistrationv1.SideEffectClassNone),
		AdmissionReviewVersions: []string{"v1"},
	}
	for _, c := range change {
		c(&h)
	}
	return h
}

func mutatingHook(name, url string, ca []byte, change ...func(*admissionregistrationv1.MutatingWebhook)) admissionregistrationv1.MutatingWebhook {
	h := admissionregistrationv1.MutatingWebhook{
		Name:                    name,
		ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: ca},
		Rules:                   []admissionregistrationv1.RuleWithOperations{podRule},
		SideEffects:             ptr(admissionregistrationv1.SideEffectClassNone),
		AdmissionReviewVersions: []string{"v1"},
	}
	for _, c := range change {
		c(&h)
	}
	return h
}

// Fake listers over fixed objects.
type validatingConfigs []*admissionregistrationv1.ValidatingWebhookConfiguration

func (l validatingConfigs) List(labels.Selector) ([]*admissionregistrationv1.ValidatingWebhookConfiguration, error) {
	return append([]*admissionregistrationv1.ValidatingWebhookConfiguration(nil), l...), nil
}

type mutatingConfigs []*admissionregistrationv1.MutatingWebhookConfiguration

func (l mutatingConfigs) List(labels.Selector) ([]*admissionregistrationv1.MutatingWebhookConfiguration, error) {
	return append([]*admissionregistrationv1.MutatingWebhookConfiguration(nil), l...), nil
}

func validatingConfig(name string, hooks ...admissionregistrationv1.ValidatingWebhook) *admissionregistrationv1.ValidatingWebhookConfiguration {
	return &admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: name}, Webhooks: hooks}
}

func mutatingConfig(name string, hooks ...admissionregistrationv1.MutatingWebhook) *admissionregistrationv1.MutatingWebhookConfiguration {
	return &admissionregistrationv1.MutatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: name}, Webhooks: hooks}
}

type namespaces map[string]map[string]string // name -> labels

func (n namespaces) Get(name string) (*corev1.Namespace, error) {
	l, ok := n[name]
	if !ok {
		return nil, apierrors.NewNotFound(corev1.Resource("namespaces"), name)
	}
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: l}}, nil
}

// podAttrs is the admission of a pod write by user "alice".
func podAttrs(op admission.Operation, ns, name string, podLabels map[string]string) *admission.Attributes {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: podLabels},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}},
	}
	a := &admission.Attributes{
		Operation: op, Kind: corev1.SchemeGroupVersion.WithKind("Pod"), Resource: corev1.SchemeGroupVersion.WithResource("pods"),
		Namespace: ns, Name: name, Object: pod,
		User: &authn.User{Name: "alice", Groups: []string{"devs", authn.AllAuthenticated}},
	}
	if op == admission.Update || op == admission.Delete {
		a.OldObject = pod.DeepCopy()
	}
	if op == admission.Delete {
		a.Object = nil
	}
	return a
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

// statusOf returns the HTTP code and message of an API error.
func statusOf(err error) (int32, string) {
	if s, ok := err.(apierrors.APIStatus); ok {
		return s.Status().Code, s.Status().Message
	}
	if err == nil {
		return 0, ""
	}
	return -1, err.Error()
}

func jsonDecode(r *http.Request, v any) error { return json.NewDecoder(r.Body).Decode(v) }
