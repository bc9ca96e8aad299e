package admissionregistration

import (
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

type wantErr = registrytest.WantErr

func TestValidate(t *testing.T) {
	with := func(change func(h *admissionregistrationv1.ValidatingWebhook)) admissionregistrationv1.ValidatingWebhook {
		h := validHook()
		change(&h)
		return h
	}
	rule := func(change func(r *admissionregistrationv1.RuleWithOperations)) admissionregistrationv1.ValidatingWebhook {
		return with(func(h *admissionregistrationv1.ValidatingWebhook) { change(&h.Rules[0]) })
	}
	resources := func(rs ...string) admissionregistrationv1.ValidatingWebhook {
		return rule(func(r *admissionregistrationv1.RuleWithOperations) { r.Resources = rs })
	}
	url := func(u string) admissionregistrationv1.ValidatingWebhook {
		return with(func(h *admissionregistrationv1.ValidatingWebhook) { h.ClientConfig.URL = &u })
	}
	service := func(s admissionregistrationv1.ServiceReference) admissionregistrationv1.ValidatingWebhook {
		return with(func(h *admissionregistrationv1.ValidatingWebhook) {
			h.ClientConfig = admissionregistrationv1.WebhookClientConfig{Service: &s}
		})
	}
	w0 := "webhooks[0]."
	tests := []struct {
		name  string
		hooks []admissionregistrationv1.ValidatingWebhook
		want  []wantErr
	}{
		{"valid", []admissionregistrationv1.ValidatingWebhook{validHook()}, nil},
		{"no webhooks", nil, nil},
		{"name not qualified", []admissionregistrationv1.ValidatingWebhook{with(func(h *admissionregistrationv1.ValidatingWebhook) { h.Name = "policy" })},
			[]wantErr{{Type: field.ErrorTypeInvalid, Field: w0 + "name"}}},
		{"duplicate names", []admissionregistrationv1.ValidatingWebhook{validHook(), validHook()},
			[]wantErr{{Type: field.ErrorTypeDuplicate, Field: "webhooks[1].name"}}},
		{"no client config", []admissionregistrationv1.ValidatingWebhook{with(func(h *admissionregistrationv1.ValidatingWebhook) { h.ClientConfig.URL = nil })},
			[]wantErr{{Type: field.ErrorTypeRequired, Field: w0 + "clientConfig"}}},
		{"both url and service", []admissionregistrationv1.ValidatingWebhook{with(func(h *admissionregistrationv1.ValidatingWebhook) {
			h.ClientConfig.Service = &admissionregistrationv1.ServiceReference{Namespace: "ns", Name: "svc"}
		})}, []wantErr{{Type: field.ErrorTypeRequired, Field: w0 + "clientConfig"}}},
		{"http url", []admissionregistrationv1.ValidatingWebhook{url("http://webhook.example.com/")},
			[]wantErr{{Type: field.ErrorTypeInvalid, Field: w0 + "clientConfig.url"}}},
		{"url with query", []admissionregistrationv1.ValidatingWebhook{url("https://webhook.example.com/?a=b")},
			[]wantErr{{Type: field.ErrorTypeInvalid, Field: w0 + "clientConfig.url"}}},
		{"url with user", []admissionregistrationv1.ValidatingWebhook{url("https://me@webhook.example.com/")},
			[]wantErr{{Type: field.ErrorTypeInvalid, Field: w0 + "clientConfig.url"}}},
		{"url without host", []admissionregistrationv1.ValidatingWebhook{url("https:///path")},
			[]wantErr{{Type: field.ErrorTypeInvalid, Field: w0 + "clientConfig.url"}}},
		{"service", []admissionregistrationv1.ValidatingWebhook{service(admissionregistrationv1.ServiceReference{
			Namespace: "ns", Name: "svc", Path: ptr("/validate/pods"), Port: ptr(int32(8443))})}, nil},
		{"service without name", []admissionregistrationv1.ValidatingWebhook{service(admissionregistrationv1.ServiceReference{Namespace: "ns"})},
			[]wantErr{{Type: field.ErrorTypeRequired, Field: w0 + "clientConfig.service.name"}}},
		{"service bad port", []admissionregistrationv1.ValidatingWebhook{service(admissionregistrationv1.ServiceReference{Namespace: "ns", Name: "s", Port: ptr(int32(70000))})},
			[]wantErr{{Type: field.ErrorTypeInvalid, Field: w0 + "clientConfig.service.port"}}},
		{"service relative path", []admissionregistrationv1.ValidatingWebhook{service(admissionregistrationv1.ServiceReference{Namespace: "ns", Name: "s", Path: ptr("validate")})},
			[]wantErr{{Type: field.ErrorTypeInvalid, Field: w0 + "clientConfig.service.path"}}},
		{"service empty path segment", []admissionregistrationv1.ValidatingWebhook{service(admissionregistrationv1.ServiceReference{Namespace: "ns", Name: "s", Path: ptr("/a//b")})},
			[]wantErr{{Type: field.ErrorTypeInvalid, Field: w0 + "clientConfig.service.path"}}},
		{"no operations", []admissionregistrationv1.ValidatingWebhook{rule(func(r *admissionregistrationv1.RuleWithOperations) { r.Operations = nil })},
			[]wantErr{{Type: field.ErrorTypeRequired, Field: w0 + "rules[0].operations"}}},
		{"unknown operation", []admissionregistrationv1.ValidatingWebhook{rule(func(r *admissionregistrationv1.RuleWithOperations) {
			r.Operations = []admissionregistrationv1.OperationType{"PATCH"}
		})},
			[]wantErr{{Type: field.ErrorTypeNotSupported, Field: w0 + "rules[0].operations[0]"}}},
		{"wildcard operation with others", []admissionregistrationv1.ValidatingWebhook{rule(func(r *admissionregistrationv1.RuleWithOperations) {
			r.Operations = []admissionregistrationv1.OperationType{"*", "CREATE"}
		})}, []wantErr{{Type: field.ErrorTypeInvalid, Field: w0 + "rules[0].operations"}}},
		{"no api groups", []admissionregistrationv1.ValidatingWebhook{rule(func(r *admissionregistrationv1.RuleWithOperations) { r.APIGroups = nil })},
			[]wantErr{{Type: field.ErrorTypeRequired, Field: w0 + "rules[0].apiGroups"}}},
		{"wildcard group with others", []admissionregistrationv1.ValidatingWebhook{rule(func(r *admissionregistrationv1.RuleWithOperations) { r.APIGroups = []string{"*", "apps"} })},
			[]wantErr{{Type: field.ErrorTypeInvalid, Field: w0 + "rules[0].apiGroups"}}},
		{"empty version", []admissionregistrationv1.ValidatingWebhook{rule(func(r *admissionregistrationv1.RuleWithOperations) { r.APIVersions = []string{""} })},
			[]wantErr{{Type: field.ErrorTypeRequired, Field: w0 + "rules[0].apiVersions[0]"}}},
		{"no resources", []admissionregistrationv1.ValidatingWebhook{resources()},
			[]wantErr{{Type: field.ErrorTypeRequired, Field: w0 + "rules[0].resources"}}},
		{"subresources", []admissionregistrationv1.ValidatingWebhook{resources("pods", "pods/status", "deployments/*", "*/scale")}, nil},
		{"all with others", []admissionregistrationv1.ValidatingWebhook{resources("*/*", "pods")},
			[]wantErr{{Type: field.ErrorTypeInvalid, Field: w0 + "rules[0].resources"}}},
		{"star with plain", []admissionregistrationv1.ValidatingWebhook{resources("*", "pods")},
			[]wantErr{{Type: field.ErrorTypeInvalid, Field: w0 + "rules[0].resources"}}},
		{"star with subresource", []admissionregistrationv1.ValidatingWebhook{resources("*", "pods/status")}, nil},
		{"redundant subresource", []admissionregistrationv1.ValidatingWebhook{resources("pods/*", "pods/status")},
			[]wantErr{{Type: field.ErrorTypeInvalid, Field: w0 + "rules[0].resources[1]"}}},
		{"redundant resource", []admissionregistrationv1.ValidatingWebhook{resources("*/status", "pods/status")},
			[]wantErr{{Type: field.ErrorTypeInvalid, Field: w0 + "rules[0].resources[1]"}}},
		{"bad scope", []admissionregistrationv1.ValidatingWebhook{rule(func(r *admissionregistrationv1.RuleWithOperations) {
			r.Scope = ptr(admissionregistrationv1.ScopeType("Everywhere"))
		})}, []wantErr{{Type: field.ErrorTypeNotSupported, Field: w0 + "rules[0].scope"}}},
		{"bad failure policy", []admissionregistrationv1.ValidatingWebhook{with(func(h *admissionregistrationv1.ValidatingWebhook) {
			h.FailurePolicy = ptr(admissionregistrationv1.FailurePolicyType("Maybe"))
		})}, []wantErr{{Type: field.ErrorTypeNotSupported, Field: w0 + "failurePolicy"}}},
		{"bad match policy", []admissionregistrationv1.ValidatingWebhook{with(func(h *admissionregistrationv1.ValidatingWebhook) {
			h.MatchPolicy = ptr(admissionregistrationv1.MatchPolicyType("Close"))
		})}, []wantErr{{Type: field.ErrorTypeNotSupported, Field: w0 + "matchPolicy"}}},
		{"no side effects", []admissionregistrationv1.ValidatingWebhook{with(func(h *admissionregistrationv1.ValidatingWebhook) { h.SideEffects = nil })},
			[]wantErr{{Type: field.ErrorTypeRequired, Field: w0 + "sideEffects"}}},
		{"side effects unknown", []admissionregistrationv1.ValidatingWebhook{with(func(h *admissionregistrationv1.ValidatingWebhook) {
			h.SideEffects = ptr(admissionregistrationv1.SideEffectClassUnknown)
		})}, []wantErr{{Type: field.ErrorTypeNotSupported, Field: w0 + "sideEffects"}}},
		{"side effects none on dry run", []admissionregistrationv1.ValidatingWebhook{with(func(h *admissionregistrationv1.ValidatingWebhook) {
			h.SideEffects = ptr(admissionregistrationv1.SideEffectClassNoneOnDryRun)
		})}, nil},
		{"timeout too long", []admissionregistrationv1.ValidatingWebhook{with(func(h *admissionregistrationv1.ValidatingWebhook) { h.TimeoutSeconds = ptr(int32(31)) })},
			[]wantErr{{Type: field.ErrorTypeInvalid, Field: w0 + "timeoutSeconds"}}},
		{"timeout zero", []admissionregistrationv1.ValidatingWebhook{with(func(h *admissionregistrationv1.ValidatingWebhook) { h.TimeoutSeconds = ptr(int32(0)) })},
			[]wantErr{{Type: field.ErrorTypeInvalid, Field: w0 + "timeoutSeconds"}}},
		{"bad namespace selector", []admissionregistrationv1.ValidatingWebhook{with(func(h *admissionregistrationv1.ValidatingWebhook) {
			h.NamespaceSelector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "a", Operator: "Near"}}}
		})}, []wantErr{{Type: field.ErrorTypeInvalid, Field: w0 + "namespaceSelector.matchExpressions[0].operator"}}},
		{"bad object selector", []admissionregistrationv1.ValidatingWebhook{with(func(h *admissionregistrationv1.ValidatingWebhook) {
			h.ObjectSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"a": "not valid!"}}
		})}, []wantErr{{Type: field.ErrorTypeInvalid, Field: w0 + "objectSelector.matchLabels"}}},
		{"no review versions", []admissionregistrationv1.ValidatingWebhook{with(func(h *admissionregistrationv1.ValidatingWebhook) { h.AdmissionReviewVersions = nil })},
			[]wantErr{{Type: field.ErrorTypeRequired, Field: w0 + "admissionReviewVersions"}}},
		{"unknown review version", []admissionregistrationv1.ValidatingWebhook{with(func(h *admissionregistrationv1.ValidatingWebhook) { h.AdmissionReviewVersions = []string{"v2"} })},
			[]wantErr{{Type: field.ErrorTypeInvalid, Field: w0 + "admissionReviewVersions"}}},
		{"duplicate review version", []admissionregistrationv1.ValidatingWebhook{with(func(h *admissionregistrationv1.ValidatingWebhook) {
			h.AdmissionReviewVersions = []string{"v1", "v1"}
		})}, []wantErr{{Type: field.ErrorTypeInvalid, Field: w0 + "admissionReviewVersions[1]"}}},
		{"match conditions", []admissionregistrationv1.ValidatingWebhook{with(func(h *admissionregistrationv1.ValidatingWebhook) {
			h.MatchConditions = []admissionregistrationv1.MatchCondition{{Name: "not-leases", Expression: "true"}}
		})}, []wantErr{{Type: field.ErrorTypeForbidden, Field: w0 + "matchConditions"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var vhooks []admissionregistrationv1.ValidatingWebhook
			var mhooks []admissionregistrationv1.MutatingWebhook
			for _, h := range tt.hooks {
				vhooks = append(vhooks, *h.DeepCopy())
				mhooks = append(mhooks, asMutating(*h.DeepCopy()))
			}
			registrytest.CheckErrors(t, registrytest.Create(newValidatingStrategy(), validating(vhooks...)), tt.want...)
			registrytest.CheckErrors(t, registrytest.Create(newMutatingStrategy(), mutating(mhooks...)), tt.want...)
		})
	}
}

func TestValidateMutatingOnly(t *testing.T) {
	h := asMutating(validHook())
	h.ReinvocationPolicy = ptr(admissionregistrationv1.ReinvocationPolicyType("Always"))
	registrytest.CheckErrors(t, registrytest.Create(newMutatingStrategy(), mutating(h)),
		wantErr{Type: field.ErrorTypeNotSupported, Field: "webhooks[0].reinvocationPolicy"})
}

func TestValidateMeta(t *testing.T) {
	c := validating(validHook())
	c.Name = "Not_A_Name"
	registrytest.CheckErrors(t, registrytest.Create(newValidatingStrategy(), c), wantErr{Type: field.ErrorTypeInvalid, Field: "metadata.name"})
	c = validating(validHook())
	c.Namespace = "default"
	registrytest.CheckErrors(t, registrytest.Create(newValidatingStrategy(), c), wantErr{Type: field.ErrorTypeForbidden, Field: "metadata.namespace"})

	old := validating(validHook())
	registrytest.Create(newValidatingStrategy(), old)
	bad := old.DeepCopy()
	bad.Webhooks[0].SideEffects = nil
	registrytest.CheckErrors(t, registrytest.Update(newValidatingStrategy(), bad, old), wantErr{Type: field.ErrorTypeRequired, Field: "webhooks[0].sideEffects"})
}
