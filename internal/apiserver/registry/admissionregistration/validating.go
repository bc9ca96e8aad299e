package admissionregistration

import (
	"context"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// validatingStrategy is admissionregistration.k8s.io/v1
// ValidatingWebhookConfiguration.
type validatingStrategy struct{ configStrategy }

func newValidatingStrategy() validatingStrategy {
	return validatingStrategy{configStrategy{webhooks: func(obj runtime.Object) any {
		return obj.(*admissionregistrationv1.ValidatingWebhookConfiguration).Webhooks
	}}}
}

func (validatingStrategy) Default(obj runtime.Object) {
	defaultValidating(obj.(*admissionregistrationv1.ValidatingWebhookConfiguration))
}

func (validatingStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	c := obj.(*admissionregistrationv1.ValidatingWebhookConfiguration)
	return append(validateMeta(&c.ObjectMeta), validateValidatingWebhooks(c)...)
}

// ValidateUpdate checks the new configuration as a new one (see
// mutatingStrategy.ValidateUpdate).
func (validatingStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	c, o := obj.(*admissionregistrationv1.ValidatingWebhookConfiguration), old.(*admissionregistrationv1.ValidatingWebhookConfiguration)
	return append(validateMetaUpdate(&c.ObjectMeta, &o.ObjectMeta), validateValidatingWebhooks(c)...)
}

func validateValidatingWebhooks(c *admissionregistrationv1.ValidatingWebhookConfiguration) field.ErrorList {
	hooks := make([]webhook, len(c.Webhooks))
	for i := range c.Webhooks {
		hooks[i] = validatingView(&c.Webhooks[i])
	}
	return validateWebhooks(hooks, nil)
}

func (validatingStrategy) TableRow(obj runtime.Object) []interface{} {
	c := obj.(*admissionregistrationv1.ValidatingWebhookConfiguration)
	return []interface{}{int64(len(c.Webhooks)), registry.Age(obj)}
}
