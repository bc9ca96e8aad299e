package admissionregistration

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// webhook is one MutatingWebhook or ValidatingWebhook seen through pointers
// to its fields: the two types are distinct Go structs with the same
// fields (the mutating one adds reinvocationPolicy), and defaulting and
// validation should be written once for both.
type webhook struct {
	name                    string
	clientConfig            *admissionregistrationv1.WebhookClientConfig
	rules                   []admissionregistrationv1.RuleWithOperations
	failurePolicy           **admissionregistrationv1.FailurePolicyType
	matchPolicy             **admissionregistrationv1.MatchPolicyType
	namespaceSelector       **metav1.LabelSelector
	objectSelector          **metav1.LabelSelector
	sideEffects             **admissionregistrationv1.SideEffectClass
	timeoutSeconds          **int32
	admissionReviewVersions []string
	matchConditions         []admissionregistrationv1.MatchCondition
}

func mutatingView(h *admissionregistrationv1.MutatingWebhook) webhook {
	return webhook{
		name: h.Name, clientConfig: &h.ClientConfig, rules: h.Rules,
		failurePolicy: &h.FailurePolicy, matchPolicy: &h.MatchPolicy,
		namespaceSelector: &h.NamespaceSelector, objectSelector: &h.ObjectSelector,
		sideEffects: &h.SideEffects, timeoutSeconds: &h.TimeoutSeconds,
		admissionReviewVersions: h.AdmissionReviewVersions, matchConditions: h.MatchConditions,
	}
}

func validatingView(h *admissionregistrationv1.ValidatingWebhook) webhook {
	return webhook{
		name: h.Name, clientConfig: &h.ClientConfig, rules: h.Rules,
		failurePolicy: &h.FailurePolicy, matchPolicy: &h.MatchPolicy,
		namespaceSelector: &h.NamespaceSelector, objectSelector: &h.ObjectSelector,
		sideEffects: &h.SideEffects, timeoutSeconds: &h.TimeoutSeconds,
		admissionReviewVersions: h.AdmissionReviewVersions, matchConditions: h.MatchConditions,
	}
}

// Upstream's v1 defaults. sideEffects and admissionReviewVersions have none
// in v1 on purpose: a webhook author must say what the webhook does and
// which review versions it speaks.
const defaultTimeoutSeconds = int32(10)

// defaultServicePort is where a service reference points without a port:
// HTTPS's.
const defaultServicePort = int32(443)

// setDefaults fills what upstream's v1 defaulting fills: failurePolicy
// Fail (a webhook that cannot be reached must not be silently skipped),
// matchPolicy Equivalent, empty (match-everything) selectors, a 10s
// timeout, scope "*" on every rule, and port 443 on service references.
func (w webhook) setDefaults() {
	if *w.failurePolicy == nil {
		p := admissionregistrationv1.Fail
		*w.failurePolicy = &p
	}
	if *w.matchPolicy == nil {
		p := admissionregistrationv1.Equivalent
		*w.matchPolicy = &p
	}
	if *w.namespaceSelector == nil {
		*w.namespaceSelector = &metav1.LabelSelector{}
	}
	if *w.objectSelector == nil {
		*w.objectSelector = &metav1.LabelSelector{}
	}
	if *w.timeoutSeconds == nil {
		t := defaultTimeoutSeconds
		*w.timeoutSeconds = &t
	}
	for i := range w.rules {
		if w.rules[i].Scope == nil {
			s := admissionregistrationv1.AllScopes
			w.rules[i].Scope = &s
		}
	}
	if svc := w.clientConfig.Service; svc != nil && svc.Port == nil {
		p := defaultServicePort
		svc.Port = &p
	}
}

// defaultMutating defaults a mutating configuration; reinvocation is off
// unless asked for, as upstream.
func defaultMutating(c *admissionregistrationv1.MutatingWebhookConfiguration) {
	for i := range c.Webhooks {
		h := &c.Webhooks[i]
		mutatingView(h).setDefaults()
		if h.ReinvocationPolicy == nil {
			p := admissionregistrationv1.NeverReinvocationPolicy
			h.ReinvocationPolicy = &p
		}
	}
}

func defaultValidating(c *admissionregistrationv1.ValidatingWebhookConfiguration) {
	for i := range c.Webhooks {
		validatingView(&c.Webhooks[i]).setDefaults()
	}
}
