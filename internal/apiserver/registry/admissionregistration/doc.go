// Package admissionregistration describes admissionregistration.k8s.io/v1
// MutatingWebhookConfiguration and ValidatingWebhookConfiguration for the
// generic REST handler: upstream's defaults and validation, so a
// configuration kubectl accepts against upstream is accepted here and one
// upstream refuses is refused with the same field errors.
//
// Both kinds hold a list of webhooks that differ only in one field
// (reinvocationPolicy, mutating only); webhook.go views either kind's
// webhook through one struct of pointers, so defaulting and validation are
// written once. Calling the webhooks is the admission chain's job
// (internal/apiserver/admission/webhook), which reads these objects through
// informers.
//
// One deliberate difference: matchConditions (CEL expressions) are refused
// at validation, because hanok does not evaluate CEL; accepting them and
// calling the webhook regardless would quietly widen what it sees.
package admissionregistration
