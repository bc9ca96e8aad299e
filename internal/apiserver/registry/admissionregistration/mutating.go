package admissionregistration

import (
	"context"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// mutatingStrategy is admissionregistration.k8s.io/v1
// MutatingWebhookConfiguration.
type mutatingStrategy struct{ configStrategy }

func newMutatingStrategy() mutatingStrategy {
	return mutatingStrategy{configStrategy{webhooks: func(obj runtime.Object) any {
		return obj.(*admissionregistrationv1.MutatingWebhookConfiguration).Webhooks
	}}}
}

func (mutatingStrategy) Default(obj runtime.Object) {
	defaultMutating(obj.(*admissionregistrationv1.MutatingWebhookConfiguration))
}

func (mutatingStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	c := obj.(*admissionregistrationv1.MutatingWebhookConfiguration)
	return append(validateMeta(&c.ObjectMeta), validateMutatingWebhooks(c)...)
}

// ValidateUpdate checks the new configuration as a new one: nothing in it
// is immutable, and hanok never stored a value it would now refuse.
func (mutatingStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	c, o := obj.(*admissionregistrationv1.MutatingWebhookConfiguration), old.(*admissionregistrationv1.MutatingWebhookConfiguration)
	return append(validateMetaUpdate(&c.ObjectMeta, &o.ObjectMeta), validateMutatingWebhooks(c)...)
}

func validateMutatingWebhooks(c *admissionregistrationv1.MutatingWebhookConfiguration) field.ErrorList {
	hooks := make([]webhook, len(c.Webhooks))
	reinvocation := make([]*admissionregistrationv1.ReinvocationPolicyType, len(c.Webhooks))
	for i := range c.Webhooks {
		hooks[i] = mutatingView(&c.Webhooks[i])
		reinvocation[i] = c.Webhooks[i].ReinvocationPolicy
	}
	return validateWebhooks(hooks, reinvocation)
}

func (mutatingStrategy) TableRow(obj runtime.Object) []interface{} {
	c := obj.(*admissionregistrationv1.MutatingWebhookConfiguration)
	return []interface{}{int64(len(c.Webhooks)), registry.Age(obj)}
}
