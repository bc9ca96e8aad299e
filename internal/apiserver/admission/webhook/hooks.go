package webhook

import (
	"slices"
	"sort"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// hook is one webhook of either kind, with defaults applied: the API
// server defaults configurations when they are written, but the plugins
// must not trust that (tests and older objects).
type hook struct {
	name           string
	clientConfig   admissionregistrationv1.WebhookClientConfig
	rules          []admissionregistrationv1.RuleWithOperations
	failOpen       bool // failurePolicy Ignore
	namespaceSel   *metav1.LabelSelector
	objectSel      *metav1.LabelSelector
	sideEffects    *admissionregistrationv1.SideEffectClass
	timeout        time.Duration
	reviewVersions []string
	// reinvoke: reinvocationPolicy IfNeeded (mutating only).
	reinvoke bool
}

// defaultTimeout is upstream's v1 default timeoutSeconds.
const defaultTimeout = 10 * time.Second

func newHook(name string, cc admissionregistrationv1.WebhookClientConfig, rules []admissionregistrationv1.RuleWithOperations,
	fp *admissionregistrationv1.FailurePolicyType, nsSel, objSel *metav1.LabelSelector,
	se *admissionregistrationv1.SideEffectClass, timeout *int32, versions []string) hook {
	h := hook{
		name: name, clientConfig: cc, rules: rules, namespaceSel: nsSel, objectSel: objSel,
		sideEffects: se, timeout: defaultTimeout, reviewVersions: versions,
		failOpen: fp != nil && *fp == admissionregistrationv1.Ignore,
	}
	if timeout != nil && *timeout > 0 {
		h.timeout = time.Duration(*timeout) * time.Second
	}
	return h
}

// mutatingHooks flattens configurations into the order webhooks are
// called: configurations by name, webhooks as listed (upstream's order, so
// a webhook author can rely on it).
func mutatingHooks(configs []*admissionregistrationv1.MutatingWebhookConfiguration) []hook {
	configs = slices.Clone(configs) // the lister's slice is not ours to reorder
	sort.Slice(configs, func(i, j int) bool { return configs[i].Name < configs[j].Name })
	var hooks []hook
	for _, c := range configs {
		for _, w := range c.Webhooks {
			h := newHook(w.Name, w.ClientConfig, w.Rules, w.FailurePolicy, w.NamespaceSelector, w.ObjectSelector,
				w.SideEffects, w.TimeoutSeconds, w.AdmissionReviewVersions)
			h.reinvoke = w.ReinvocationPolicy != nil && *w.ReinvocationPolicy == admissionregistrationv1.IfNeededReinvocationPolicy
			hooks = append(hooks, h)
		}
	}
	return hooks
}

func validatingHooks(configs []*admissionregistrationv1.ValidatingWebhookConfiguration) []hook {
	configs = slices.Clone(configs) // the lister's slice is not ours to reorder
	sort.Slice(configs, func(i, j int) bool { return configs[i].Name < configs[j].Name })
	var hooks []hook
	for _, c := range configs {
		for _, w := range c.Webhooks {
			hooks = append(hooks, newHook(w.Name, w.ClientConfig, w.Rules, w.FailurePolicy, w.NamespaceSelector,
				w.ObjectSelector, w.SideEffects, w.TimeoutSeconds, w.AdmissionReviewVersions))
		}
	}
	return hooks
}
