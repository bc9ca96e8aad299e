package webhook

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

func deny(code int32, msg string) func(*admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	return func(*admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
		r := &admissionv1.AdmissionResponse{Allowed: false}
		if code != 0 || msg != "" {
			r.Result = &metav1.Status{Code: code, Message: msg}
		}
		return r
	}
}

// TestValidatingAnswers: what a webhook answers is what the client sees.
func TestValidatingAnswers(t *testing.T) {
	tests := []struct {
		name     string
		respond  func(*admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse
		wantCode int32
		wantMsg  string
	}{
		{"allowed", allow, 0, ""},
		{"denied with a message", deny(0, "pods must have an owner"), 400,
			`admission webhook "owner.example.com" denied the request: pods must have an owner`},
		{"denied with a code", deny(403, "no"), 403, `admission webhook "owner.example.com" denied the request: no`},
		{"denied with a code below 400", deny(200, "no"), 400, `admission webhook "owner.example.com" denied the request: no`},
		{"denied with a reason only", func(*admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
			return &admissionv1.AdmissionResponse{Result: &metav1.Status{Reason: "Unowned"}}
		}, 400, `admission webhook "owner.example.com" denied the request: Unowned`},
		{"denied without explanation", deny(0, ""), 400, `admission webhook "owner.example.com" denied the request without explanation`},
		{"wrong uid", func(*admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
			return &admissionv1.AdmissionResponse{UID: "other", Allowed: true}
		}, 500, `Internal error occurred: failed calling webhook "owner.example.com": expected response.uid=`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wh := startWebhook(t, tt.respond)
			v := NewValidating(Deps{ValidatingConfigs: validatingConfigs{
				validatingConfig("owners", validatingHook("owner.example.com", wh.url("/validate"), wh.caBundle())),
			}})
			err := v.Validate(ctx(t), podAttrs(admission.Create, "ns", "p", nil))
			code, msg := statusOf(err)
			if code != tt.wantCode || !strings.HasPrefix(msg, tt.wantMsg) {
				t.Errorf("got %d %q, want %d %q", code, msg, tt.wantCode, tt.wantMsg)
			}
			if len(wh.calls()) != 1 {
				t.Errorf("%d calls", len(wh.calls()))
			}
		})
	}
}

// TestReviewContent: the webhook gets the object, the user and the
// request's coordinates, and the timeout as a query parameter.
func TestReviewContent(t *testing.T) {
	wh := startWebhook(t, allow)
	v := NewValidating(Deps{ValidatingConfigs: validatingConfigs{
		validatingConfig("c", validatingHook("a.example.com", wh.url("/v"), wh.caBundle(), func(h *admissionregistrationv1.ValidatingWebhook) {
			h.TimeoutSeconds = ptr(int32(7))
		})),
	}})
	a := podAttrs(admission.Update, "ns", "web", map[string]string{"app": "web"})
	if err := v.Validate(ctx(t), a); err != nil {
		t.Fatal(err)
	}
	req := wh.calls()[0]
	if req.Operation != admissionv1.Update || req.Name != "web" || req.Namespace != "ns" ||
		req.Kind.Kind != "Pod" || req.Resource.Resource != "pods" || req.RequestKind == nil || req.DryRun == nil || *req.DryRun {
		t.Errorf("request %+v", req)
	}
	if req.UserInfo.Username != "alice" || !slices.Contains(req.UserInfo.Groups, "devs") {
		t.Errorf("userInfo %+v", req.UserInfo)
	}
	for _, raw := range [][]byte{req.Object.Raw, req.OldObject.Raw} {
		if !strings.Contains(string(raw), `"kind":"Pod"`) || !strings.Contains(string(raw), `"apiVersion":"v1"`) || !strings.Contains(string(raw), `"app":"web"`) {
			t.Errorf("object %s", raw)
		}
	}
	if !strings.Contains(string(req.Options.Raw), `"kind":"UpdateOptions"`) {
		t.Errorf("options %s", req.Options.Raw)
	}
	if q := wh.queries[0]; q != "timeout=7s" {
		t.Errorf("query %q", q)
	}
}

// TestFailurePolicy: a webhook that is down is skipped under Ignore and
// refuses the write under Fail; so does one that answers garbage or an
// HTTP error.
func TestFailurePolicy(t *testing.T) {
	broken := httpServerAnswering(t, http.StatusInternalServerError, "boom")
	garbage := httpServerAnswering(t, http.StatusOK, "not json")
	tests := []struct {
		name    string
		url     func(t *testing.T) (string, []byte)
		policy  admissionregistrationv1.FailurePolicyType
		wantErr string
	}{
		{"down, Ignore", func(t *testing.T) (string, []byte) { return closedURL(t), nil }, admissionregistrationv1.Ignore, ""},
		{"down, Fail", func(t *testing.T) (string, []byte) { return closedURL(t), nil }, admissionregistrationv1.Fail,
			`Internal error occurred: failed calling webhook "down.example.com": failed to call webhook: Post "https://127.0.0.1:`},
		{"HTTP 500, Fail", func(*testing.T) (string, []byte) { return broken.url("/"), broken.caBundle() }, admissionregistrationv1.Fail,
			`Internal error occurred: failed calling webhook "down.example.com": the server answered 500`},
		{"HTTP 500, Ignore", func(*testing.T) (string, []byte) { return broken.url("/"), broken.caBundle() }, admissionregistrationv1.Ignore, ""},
		{"garbage, Fail", func(*testing.T) (string, []byte) { return garbage.url("/"), garbage.caBundle() }, admissionregistrationv1.Fail,
			`Internal error occurred: failed calling webhook "down.example.com": decoding the answer`},
		// Without the caBundle the test server's certificate is unknown.
		{"untrusted certificate, Fail", func(*testing.T) (string, []byte) { return garbage.url("/"), nil }, admissionregistrationv1.Fail,
			"certificate"},
		{"untrusted certificate, Ignore", func(*testing.T) (string, []byte) { return garbage.url("/"), nil }, admissionregistrationv1.Ignore, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, ca := tt.url(t)
			v := NewValidating(Deps{ValidatingConfigs: validatingConfigs{
				validatingConfig("c", validatingHook("down.example.com", url, ca, func(h *admissionregistrationv1.ValidatingWebhook) {
					h.FailurePolicy = &tt.policy
				})),
			}})
			err := v.Validate(ctx(t), podAttrs(admission.Create, "ns", "p", nil))
			code, msg := statusOf(err)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.wantErr != "" && (code != 500 || !strings.Contains(msg, tt.wantErr)):
				t.Errorf("got %d %q, want 500 %q", code, msg, tt.wantErr)
			}
		})
	}
}

// httpServerAnswering is an HTTPS server answering every call the same.
func httpServerAnswering(t *testing.T, code int, body string) *fakeWebhook {
	wh := startWebhook(t, allow)
	wh.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	})
	return wh
}

// TestTimeout: a slow webhook is given up on after timeoutSeconds.
func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	slow := startWebhook(t, func(*admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
		return &admissionv1.AdmissionResponse{Allowed: true}
	})
	for _, policy := range []admissionregistrationv1.FailurePolicyType{admissionregistrationv1.Fail, admissionregistrationv1.Ignore} {
		t.Run(string(policy), func(t *testing.T) {
			v := NewValidating(Deps{ValidatingConfigs: validatingConfigs{
				validatingConfig("c", validatingHook("slow.example.com", slow.url("/"), slow.caBundle(), func(h *admissionregistrationv1.ValidatingWebhook) {
					h.TimeoutSeconds = ptr(int32(1))
					h.FailurePolicy = &policy
				})),
			}})
			start := time.Now()
			err := v.Validate(ctx(t), podAttrs(admission.Create, "ns", "p", nil))
			took := time.Since(start)
			if took < 900*time.Millisecond || took > 5*time.Second {
				t.Errorf("took %v, want about 1s", took)
			}
			_, msg := statusOf(err)
			if policy == admissionregistrationv1.Fail && !strings.Contains(msg, "context deadline exceeded") {
				t.Errorf("got %v", err)
			}
			if policy == admissionregistrationv1.Ignore && err != nil {
				t.Errorf("refused: %v", err)
			}
		})
	}
}

// TestSelectorsDecideCalls: webhooks are called only for writes their
// rules and selectors match.
func TestSelectorsDecideCalls(t *testing.T) {
	wh := startWebhook(t, deny(0, "caught"))
	v := NewValidating(Deps{
		Namespaces: namespaces{"prod": {"env": "prod"}, "dev": {"env": "dev"}},
		ValidatingConfigs: validatingConfigs{validatingConfig("c",
			validatingHook("sel.example.com", wh.url("/"), wh.caBundle(), func(h *admissionregistrationv1.ValidatingWebhook) {
				h.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"env": "prod"}}
				h.ObjectSelector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
					{Key: "skip-webhook", Operator: metav1.LabelSelectorOpDoesNotExist}}}
			}))},
	})
	tests := []struct {
		name   string
		attrs  *admission.Attributes
		called bool
	}{
		{"matching", podAttrs(admission.Create, "prod", "p", nil), true},
		{"namespace not selected", podAttrs(admission.Create, "dev", "p", nil), false},
		{"object opted out", podAttrs(admission.Create, "prod", "p", map[string]string{"skip-webhook": "yes"}), false},
		{"operation not in rules", podAttrs(admission.Delete, "prod", "p", nil), false},
		{"resource not in rules", &admission.Attributes{Operation: admission.Create, Namespace: "prod", Name: "c",
			Kind: corev1.SchemeGroupVersion.WithKind("ConfigMap"), Resource: corev1.SchemeGroupVersion.WithResource("configmaps"),
			Object: &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c", Namespace: "prod"}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(wh.calls())
			err := v.Validate(ctx(t), tt.attrs)
			called := len(wh.calls()) > before
			if called != tt.called || (err != nil) != tt.called {
				t.Errorf("called %v (err %v), want called %v", called, err, tt.called)
			}
		})
	}
}

// TestDryRun: a webhook that may have side effects is never sent a dry
// run; the request is refused instead. Side-effect-free webhooks are
// called and told it is a dry run.
func TestDryRun(t *testing.T) {
	wh := startWebhook(t, allow)
	tests := []struct {
		sideEffects *admissionregistrationv1.SideEffectClass
		wantErr     bool
	}{
		{ptr(admissionregistrationv1.SideEffectClassUnknown), true},
		{ptr(admissionregistrationv1.SideEffectClassSome), true},
		{nil, true},
		{ptr(admissionregistrationv1.SideEffectClassNone), false},
		{ptr(admissionregistrationv1.SideEffectClassNoneOnDryRun), false},
	}
	for _, tt := range tests {
		name := "unset"
		if tt.sideEffects != nil {
			name = string(*tt.sideEffects)
		}
		t.Run(name, func(t *testing.T) {
			v := NewValidating(Deps{ValidatingConfigs: validatingConfigs{validatingConfig("c",
				validatingHook("dry.example.com", wh.url("/"), wh.caBundle(), func(h *admissionregistrationv1.ValidatingWebhook) {
					h.SideEffects = tt.sideEffects
				}))}})
			a := podAttrs(admission.Create, "ns", "p", nil)
			a.DryRun = true
			before := len(wh.calls())
			err := v.Validate(ctx(t), a)
			code, msg := statusOf(err)
			if tt.wantErr {
				if code != 400 || msg != `admission webhook "dry.example.com" does not support dry run` {
					t.Errorf("got %d %q", code, msg)
				}
				if len(wh.calls()) != before {
					t.Errorf("webhook called")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			calls := wh.calls()
			last := calls[len(calls)-1]
			if last.DryRun == nil || !*last.DryRun || !strings.Contains(string(last.Options.Raw), `"dryRun":["All"]`) {
				t.Errorf("dryRun not passed on: %v %s", last.DryRun, last.Options.Raw)
			}
		})
	}
}

// TestParallelOrder: validating webhooks run at once, and the refusal
// reported is the first in order, whichever answered first.
func TestParallelOrder(t *testing.T) {
	slowDeny := startWebhook(t, func(*admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
		time.Sleep(300 * time.Millisecond)
		return &admissionv1.AdmissionResponse{Result: &metav1.Status{Message: "first"}}
	})
	fastDeny := startWebhook(t, deny(0, "second"))
	v := NewValidating(Deps{ValidatingConfigs: validatingConfigs{
		validatingConfig("b", validatingHook("fast.example.com", fastDeny.url("/"), fastDeny.caBundle())),
		validatingConfig("a", validatingHook("slow.example.com", slowDeny.url("/"), slowDeny.caBundle())),
	}})
	start := time.Now()
	err := v.Validate(ctx(t), podAttrs(admission.Create, "ns", "p", nil))
	if _, msg := statusOf(err); !strings.HasSuffix(msg, "first") {
		t.Errorf("got %q, want the slow webhook's (config a) refusal", msg)
	}
	if took := time.Since(start); took > 550*time.Millisecond {
		t.Errorf("took %v: not parallel?", took)
	}
}

// TestWarnings: warnings in answers reach the Attributes, whether the
// write is allowed or not.
func TestWarnings(t *testing.T) {
	wh := startWebhook(t, func(*admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
		return &admissionv1.AdmissionResponse{Allowed: true, Warnings: []string{"image tag latest is discouraged", "line\nbreak"}}
	})
	v := NewValidating(Deps{ValidatingConfigs: validatingConfigs{validatingConfig("c", validatingHook("warn.example.com", wh.url("/"), wh.caBundle()))}})
	a := podAttrs(admission.Create, "ns", "p", nil)
	if err := v.Validate(ctx(t), a); err != nil {
		t.Fatal(err)
	}
	if got := a.Warnings(); !slices.Equal(got, []string{"image tag latest is discouraged", "line break"}) {
		t.Errorf("warnings %q", got)
	}
}

// TestExemptConfigurations: a webhook that refuses everything does not
// see writes to webhook configurations, so it can be removed.
func TestExemptConfigurations(t *testing.T) {
	wh := startWebhook(t, deny(0, "nothing passes"))
	v := NewValidating(Deps{ValidatingConfigs: validatingConfigs{validatingConfig("c",
		validatingHook("all.example.com", wh.url("/"), wh.caBundle(), func(h *admissionregistrationv1.ValidatingWebhook) {
			h.Rules = []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{"*"},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{"*"}, APIVersions: []string{"*"}, Resources: []string{"*"}},
			}}
		}))}})
	err := v.Validate(ctx(t), &admission.Attributes{
		Operation: admission.Delete, Name: "c",
		Kind:      admissionregistrationv1.SchemeGroupVersion.WithKind("ValidatingWebhookConfiguration"),
		Resource:  admissionregistrationv1.SchemeGroupVersion.WithResource("validatingwebhookconfigurations"),
		OldObject: validatingConfig("c"),
	})
	if err != nil || len(wh.calls()) != 0 {
		t.Errorf("err %v, %d calls", err, len(wh.calls()))
	}
}

// TestNotReady: until the listers sync, writes wait, then are refused.
func TestNotReady(t *testing.T) {
	synced := false
	v := NewValidating(Deps{ValidatingConfigs: validatingConfigs{}, HasSynced: func() bool { return synced }})
	v.d.readyWait = 100 * time.Millisecond
	err := v.Validate(ctx(t), podAttrs(admission.Create, "ns", "p", nil))
	if code, msg := statusOf(err); code != 403 || !strings.Contains(msg, "not yet ready to handle request") {
		t.Errorf("got %d %q", code, msg)
	}
	// The server's own writes (no user) go on: they come before the
	// informers can run.
	internal := podAttrs(admission.Create, "kube-system", "p", nil)
	internal.User = nil
	if err := v.Validate(ctx(t), internal); err != nil {
		t.Errorf("internal write: %v", err)
	}
	synced = true
	if err := v.Validate(ctx(t), podAttrs(admission.Create, "ns", "p", nil)); err != nil {
		t.Errorf("after sync: %v", err)
	}
}

// TestReviewVersions: v1beta1-only webhooks get a v1beta1 review.
func TestReviewVersions(t *testing.T) {
	var mu sync.Mutex
	var got string
	wh := startWebhook(t, allow)
	wh.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		review := &admissionv1.AdmissionReview{}
		_ = jsonDecode(r, review)
		mu.Lock()
		got = review.APIVersion
		mu.Unlock()
		// v1beta1 answers need not repeat apiVersion and kind.
		_, _ = w.Write([]byte(`{"response":{"uid":"` + string(review.Request.UID) + `","allowed":true}}`))
	})
	v := NewValidating(Deps{ValidatingConfigs: validatingConfigs{validatingConfig("c",
		validatingHook("old.example.com", wh.url("/"), wh.caBundle(), func(h *admissionregistrationv1.ValidatingWebhook) {
			h.AdmissionReviewVersions = []string{"v2", "v1beta1"}
		}))}})
	if err := v.Validate(ctx(t), podAttrs(admission.Create, "ns", "p", nil)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got != "admission.k8s.io/v1beta1" {
		t.Errorf("sent %q", got)
	}
}
