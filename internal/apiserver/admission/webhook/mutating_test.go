package webhook

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

// patching answers with a JSONPatch built from the request's object.
func patching(patch func(pod *corev1.Pod) string) func(*admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	return func(req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
		pod := &corev1.Pod{}
		if err := json.Unmarshal(req.Object.Raw, pod); err != nil {
			return &admissionv1.AdmissionResponse{Allowed: false}
		}
		p := patch(pod)
		if p == "" {
			return &admissionv1.AdmissionResponse{Allowed: true}
		}
		jp := admissionv1.PatchTypeJSONPatch
		return &admissionv1.AdmissionResponse{Allowed: true, Patch: []byte(p), PatchType: &jp}
	}
}

// addLabel adds key=value unless the pod has it already (a well-behaved,
// idempotent webhook).
func addLabel(key, value string) func(*corev1.Pod) string {
	return func(pod *corev1.Pod) string {
		if pod.Labels[key] == value {
			return ""
		}
		if pod.Labels == nil {
			return fmt.Sprintf(`[{"op":"add","path":"/metadata/labels","value":{%q:%q}}]`, key, value)
		}
		return fmt.Sprintf(`[{"op":"add","path":"/metadata/labels/%s","value":%q}]`, key, value)
	}
}

func TestMutatingPatch(t *testing.T) {
	wh := startWebhook(t, patching(addLabel("injected", "yes")))
	m := NewMutating(Deps{MutatingConfigs: mutatingConfigs{mutatingConfig("c", mutatingHook("label.example.com", wh.url("/mutate"), wh.caBundle()))}})
	a := podAttrs(admission.Create, "ns", "p", map[string]string{"app": "web"})
	pod := a.Object.(*corev1.Pod)
	if err := m.Admit(ctx(t), a); err != nil {
		t.Fatal(err)
	}
	// The handler's own pointer sees the change.
	if pod.Labels["injected"] != "yes" || pod.Labels["app"] != "web" || pod.Spec.Containers[0].Image != "busybox" {
		t.Errorf("pod after admission: %+v", pod.ObjectMeta)
	}
	if pod.APIVersion != "" || pod.Kind != "" {
		t.Errorf("type meta changed: %+v", pod.TypeMeta)
	}
}

// TestMutatingOrder: webhooks run in configuration-name order, each seeing
// the previous one's change.
func TestMutatingOrder(t *testing.T) {
	first := startWebhook(t, patching(addLabel("first", "1")))
	second := startWebhook(t, patching(func(pod *corev1.Pod) string {
		if pod.Labels["first"] != "1" {
			return `[{"op":"add","path":"/metadata/labels/order","value":"wrong"}]`
		}
		return `[{"op":"add","path":"/metadata/labels/order","value":"right"}]`
	}))
	m := NewMutating(Deps{MutatingConfigs: mutatingConfigs{
		mutatingConfig("b", mutatingHook("second.example.com", second.url("/"), second.caBundle())),
		mutatingConfig("a", mutatingHook("first.example.com", first.url("/"), first.caBundle())),
	}})
	a := podAttrs(admission.Create, "ns", "p", map[string]string{})
	if err := m.Admit(ctx(t), a); err != nil {
		t.Fatal(err)
	}
	if got := a.Object.(*corev1.Pod).Labels["order"]; got != "right" {
		t.Errorf("order label %q", got)
	}
}

// TestReinvocation: a webhook with IfNeeded is called again once when a
// later webhook changed the object; Never is not; and nothing is called a
// third time.
func TestReinvocation(t *testing.T) {
	tests := []struct {
		name       string
		policy     admissionregistrationv1.ReinvocationPolicyType
		laterPatch bool
		wantCalls  int32
	}{
		{"IfNeeded, later change", admissionregistrationv1.IfNeededReinvocationPolicy, true, 2},
		{"IfNeeded, no later change", admissionregistrationv1.IfNeededReinvocationPolicy, false, 1},
		{"Never, later change", admissionregistrationv1.NeverReinvocationPolicy, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			var sawLater atomic.Bool
			early := startWebhook(t, patching(func(pod *corev1.Pod) string {
				calls.Add(1)
				if pod.Labels["later"] == "1" {
					sawLater.Store(true)
				}
				return addLabel("early", "1")(pod)
			}))
			later := startWebhook(t, patching(func(pod *corev1.Pod) string {
				if !tt.laterPatch {
					return ""
				}
				return addLabel("later", "1")(pod)
			}))
			m := NewMutating(Deps{MutatingConfigs: mutatingConfigs{
				mutatingConfig("a", mutatingHook("early.example.com", early.url("/"), early.caBundle(), func(h *admissionregistrationv1.MutatingWebhook) {
					h.ReinvocationPolicy = &tt.policy
				})),
				mutatingConfig("b", mutatingHook("later.example.com", later.url("/"), later.caBundle())),
			}})
			a := podAttrs(admission.Create, "ns", "p", map[string]string{})
			if err := m.Admit(ctx(t), a); err != nil {
				t.Fatal(err)
			}
			if calls.Load() != tt.wantCalls {
				t.Errorf("early webhook called %d times, want %d", calls.Load(), tt.wantCalls)
			}
			if tt.wantCalls == 2 && !sawLater.Load() {
				t.Errorf("reinvocation did not see the later change")
			}
		})
	}
}

func TestMutatingFailures(t *testing.T) {
	jsonPatch := admissionv1.PatchTypeJSONPatch
	tests := []struct {
		name     string
		respond  func(*admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse
		policy   admissionregistrationv1.FailurePolicyType
		wantCode int32
		wantMsg  string
	}{
		{"denied", deny(422, "bad pod"), admissionregistrationv1.Ignore, 422, `admission webhook "m.example.com" denied the request: bad pod`},
		{"patch without type, Fail", func(*admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
			return &admissionv1.AdmissionResponse{Allowed: true, Patch: []byte(`[]`)}
		}, admissionregistrationv1.Fail, 500, `failed calling webhook "m.example.com": expected patchType "JSONPatch"`},
		{"patch without type, Ignore", func(*admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
			return &admissionv1.AdmissionResponse{Allowed: true, Patch: []byte(`[]`)}
		}, admissionregistrationv1.Ignore, 0, ""},
		// A patch that does not apply is the webhook's bug, not a failed
		// call: refused whatever the policy, as upstream.
		{"patch does not apply", func(*admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
			return &admissionv1.AdmissionResponse{Allowed: true, PatchType: &jsonPatch,
				Patch: []byte(`[{"op":"replace","path":"/spec/nothing/here","value":1}]`)}
		}, admissionregistrationv1.Ignore, 500, `admission webhook "m.example.com" returned a patch that does not apply`},
		{"patch changes the kind", func(*admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
			return &admissionv1.AdmissionResponse{Allowed: true, PatchType: &jsonPatch,
				Patch: []byte(`[{"op":"replace","path":"/kind","value":"Service"}]`)}
		}, admissionregistrationv1.Ignore, 500, "changed the object's kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wh := startWebhook(t, tt.respond)
			m := NewMutating(Deps{MutatingConfigs: mutatingConfigs{mutatingConfig("c",
				mutatingHook("m.example.com", wh.url("/"), wh.caBundle(), func(h *admissionregistrationv1.MutatingWebhook) { h.FailurePolicy = &tt.policy }))}})
			a := podAttrs(admission.Create, "ns", "p", nil)
			before := a.Object.DeepCopyObject()
			code, msg := statusOf(m.Admit(ctx(t), a))
			if code != tt.wantCode || !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("got %d %q, want %d %q", code, msg, tt.wantCode, tt.wantMsg)
			}
			if fmt.Sprint(before) != fmt.Sprint(a.Object) {
				t.Errorf("object changed by a failed mutation")
			}
		})
	}
}

// TestMutatingDelete: a webhook sees deletions (old object only) and may
// not patch them: there is no object to patch.
func TestMutatingDelete(t *testing.T) {
	jsonPatch := admissionv1.PatchTypeJSONPatch
	wh := startWebhook(t, func(*admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
		return &admissionv1.AdmissionResponse{Allowed: true, PatchType: &jsonPatch,
			Patch: []byte(`[{"op":"add","path":"/metadata/labels","value":{"x":"y"}}]`)}
	})
	m := NewMutating(Deps{MutatingConfigs: mutatingConfigs{mutatingConfig("c",
		mutatingHook("m.example.com", wh.url("/"), wh.caBundle(), func(h *admissionregistrationv1.MutatingWebhook) {
			h.Rules[0].Operations = []admissionregistrationv1.OperationType{admissionregistrationv1.Delete}
		}))}})
	code, msg := statusOf(m.Admit(ctx(t), podAttrs(admission.Delete, "ns", "p", nil)))
	if code != 500 || !strings.Contains(msg, "attempted to modify the object, which is not supported for this operation") {
		t.Errorf("got %d %q", code, msg)
	}
	calls := wh.calls()
	if len(calls) != 1 || len(calls[0].Object.Raw) != 0 || len(calls[0].OldObject.Raw) == 0 ||
		!strings.Contains(string(calls[0].Options.Raw), "DeleteOptions") {
		t.Fatalf("calls %+v", calls)
	}
}
