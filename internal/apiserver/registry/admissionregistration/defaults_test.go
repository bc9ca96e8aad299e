package admissionregistration

import (
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func TestDefaults(t *testing.T) {
	h := validHook()
	h.ClientConfig = admissionregistrationv1.WebhookClientConfig{Service: &admissionregistrationv1.ServiceReference{Namespace: "ns", Name: "svc"}}
	vc := validating(h)
	if errs := registrytest.Create(newValidatingStrategy(), vc); len(errs) != 0 {
		t.Fatal(errs)
	}
	mc := mutating(asMutating(h))
	if errs := registrytest.Create(newMutatingStrategy(), mc); len(errs) != 0 {
		t.Fatal(errs)
	}
	for _, got := range []admissionregistrationv1.ValidatingWebhook{vc.Webhooks[0], {
		FailurePolicy: mc.Webhooks[0].FailurePolicy, MatchPolicy: mc.Webhooks[0].MatchPolicy,
		NamespaceSelector: mc.Webhooks[0].NamespaceSelector, ObjectSelector: mc.Webhooks[0].ObjectSelector,
		TimeoutSeconds: mc.Webhooks[0].TimeoutSeconds, Rules: mc.Webhooks[0].Rules, ClientConfig: mc.Webhooks[0].ClientConfig,
	}} {
		checks := []struct {
			field     string
			got, want any
		}{
			{"failurePolicy", got.FailurePolicy, ptr(admissionregistrationv1.Fail)},
			{"matchPolicy", got.MatchPolicy, ptr(admissionregistrationv1.Equivalent)},
			{"namespaceSelector", got.NamespaceSelector, &metav1.LabelSelector{}},
			{"objectSelector", got.ObjectSelector, &metav1.LabelSelector{}},
			{"timeoutSeconds", got.TimeoutSeconds, ptr(int32(10))},
			{"rules[0].scope", got.Rules[0].Scope, ptr(admissionregistrationv1.AllScopes)},
			{"clientConfig.service.port", got.ClientConfig.Service.Port, ptr(int32(443))},
		}
		for _, c := range checks {
			if !apiequality.Semantic.DeepEqual(c.got, c.want) {
				t.Errorf("%s = %v, want %v", c.field, c.got, c.want)
			}
		}
	}
	if p := mc.Webhooks[0].ReinvocationPolicy; p == nil || *p != admissionregistrationv1.NeverReinvocationPolicy {
		t.Errorf("reinvocationPolicy = %v, want Never", p)
	}
	if vc.Generation != 1 || mc.Generation != 1 {
		t.Errorf("generation %d/%d, want 1", vc.Generation, mc.Generation)
	}

	// Explicit values stay.
	h = validHook()
	h.FailurePolicy = ptr(admissionregistrationv1.Ignore)
	h.TimeoutSeconds = ptr(int32(3))
	m := asMutating(h)
	m.ReinvocationPolicy = ptr(admissionregistrationv1.IfNeededReinvocationPolicy)
	mc = mutating(m)
	registrytest.Create(newMutatingStrategy(), mc)
	if *mc.Webhooks[0].FailurePolicy != admissionregistrationv1.Ignore || *mc.Webhooks[0].TimeoutSeconds != 3 ||
		*mc.Webhooks[0].ReinvocationPolicy != admissionregistrationv1.IfNeededReinvocationPolicy {
		t.Errorf("explicit values overwritten: %+v", mc.Webhooks[0])
	}
}

// TestGeneration: the generation moves when the webhooks change, not when
// only metadata does.
func TestGeneration(t *testing.T) {
	s := newValidatingStrategy()
	old := validating(validHook())
	registrytest.Create(s, old)

	same := old.DeepCopy()
	same.Labels = map[string]string{"a": "b"}
	registrytest.CheckErrors(t, registrytest.Update(s, same, old))
	if same.Generation != 1 {
		t.Errorf("label change: generation %d, want 1", same.Generation)
	}
	changed := old.DeepCopy()
	changed.Webhooks[0].TimeoutSeconds = ptr(int32(5))
	registrytest.CheckErrors(t, registrytest.Update(s, changed, old))
	if changed.Generation != 2 {
		t.Errorf("webhook change: generation %d, want 2", changed.Generation)
	}
}
