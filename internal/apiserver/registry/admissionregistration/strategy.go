package admissionregistration

import (
	"context"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// configStrategy is what both configuration kinds share: metadata rules,
// generation tracking and the table. webhooks returns a kind's webhook
// list, compared to decide whether the generation moves.
type configStrategy struct {
	registry.Base
	webhooks func(runtime.Object) any
}

// PrepareForCreate starts generation at 1. These kinds have no spec, so
// Base would leave it at 0; upstream counts generations of the webhook list
// so tools can tell a configuration was rolled out.
func (s configStrategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	s.Base.PrepareForCreate(ctx, obj)
	if m, err := meta.Accessor(obj); err == nil {
		m.SetGeneration(1)
	}
}

// PrepareForUpdate bumps generation when the webhooks changed.
func (s configStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	s.Base.PrepareForUpdate(ctx, obj, old)
	m, err1 := meta.Accessor(obj)
	om, err2 := meta.Accessor(old)
	if err1 != nil || err2 != nil {
		return
	}
	m.SetGeneration(om.GetGeneration())
	if !apiequality.Semantic.DeepEqual(s.webhooks(obj), s.webhooks(old)) {
		m.SetGeneration(om.GetGeneration() + 1)
	}
}

// validateMeta: cluster-scoped, DNS-subdomain names.
func validateMeta(m *metav1.ObjectMeta) field.ErrorList {
	return apivalidation.ValidateObjectMeta(m, false, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
}

func validateMetaUpdate(m, old *metav1.ObjectMeta) field.ErrorList {
	return apivalidation.ValidateObjectMetaUpdate(m, old, field.NewPath("metadata"))
}

// TableColumns are kubectl's: WEBHOOKS AGE.
func (configStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		{Name: "Webhooks", Type: "integer", Description: "Webhooks indicates the number of webhooks registered in this configuration."},
		registry.AgeColumn,
	}
}
