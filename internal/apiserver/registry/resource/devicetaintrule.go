package resource

import (
	"context"

	resourcev1 "k8s.io/api/resource/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

var taintEffects = []resourcev1.DeviceTaintEffect{resourcev1.DeviceTaintEffectNone, resourcev1.DeviceTaintEffectNoSchedule, resourcev1.DeviceTaintEffectNoExecute}

// deviceTaintRuleStrategy is resource.k8s.io/v1 DeviceTaintRule: one taint
// put on every device a selector matches, as if the driver had published
// it. The eviction controller reports progress in status.
type deviceTaintRuleStrategy struct{ registry.Base }

// PrepareForCreate stamps the taint's time when the client left it out,
// as upstream: evictions for NoExecute count from it.
func (s deviceTaintRuleStrategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	s.Base.PrepareForCreate(ctx, obj)
	r := obj.(*resourcev1.DeviceTaintRule)
	if r.Spec.Taint.TimeAdded == nil {
		now := metav1.Now()
		r.Spec.Taint.TimeAdded = &now
	}
}

// PrepareForUpdate restamps the time when the effect changed but the
// client kept the old time (the new effect starts now), and stamps it when
// it was dropped.
func (s deviceTaintRuleStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	s.Base.PrepareForUpdate(ctx, obj, old)
	t, ot := &obj.(*resourcev1.DeviceTaintRule).Spec.Taint, old.(*resourcev1.DeviceTaintRule).Spec.Taint
	sameTime := t.TimeAdded != nil && ot.TimeAdded != nil && t.TimeAdded.Equal(ot.TimeAdded)
	if t.TimeAdded == nil || (t.Effect != ot.Effect && sameTime) {
		now := metav1.Now()
		t.TimeAdded = &now
	}
}

func (deviceTaintRuleStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	r := obj.(*resourcev1.DeviceTaintRule)
	errs := apivalidation.ValidateObjectMeta(&r.ObjectMeta, false, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateTaintRuleSpec(&r.Spec, field.NewPath("spec"))...)
}

func (deviceTaintRuleStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	r, o := obj.(*resourcev1.DeviceTaintRule), old.(*resourcev1.DeviceTaintRule)
	errs := apivalidation.ValidateObjectMetaUpdate(&r.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	return append(errs, validateTaintRuleSpec(&r.Spec, field.NewPath("spec"))...)
}

func (deviceTaintRuleStrategy) ValidateStatusUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	r, o := obj.(*resourcev1.DeviceTaintRule), old.(*resourcev1.DeviceTaintRule)
	errs := apivalidation.ValidateObjectMetaUpdate(&r.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	cp := field.NewPath("status", "conditions")
	if n := len(r.Status.Conditions); n > resourcev1.DeviceTaintRuleStatusMaxConditions {
		errs = append(errs, field.TooMany(cp, n, resourcev1.DeviceTaintRuleStatusMaxConditions))
	}
	return append(errs, metav1validation.ValidateConditions(r.Status.Conditions, cp)...)
}

func validateTaintRuleSpec(s *resourcev1.DeviceTaintRuleSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if sel := s.DeviceSelector; sel != nil {
		sp := p.Child("deviceSelector")
		if sel.Driver != nil {
			errs = append(errs, registry.ValidateDriverName(*sel.Driver, sp.Child("driver"))...)
		}
		if sel.Pool != nil {
			errs = append(errs, validatePoolName(*sel.Pool, sp.Child("pool"))...)
		}
		if sel.Device != nil {
			errs = append(errs, validateName(*sel.Device, apivalidation.NameIsDNSLabel, sp.Child("device"))...)
		}
	}
	return append(errs, validateTaint(&s.Taint, p.Child("taint"))...)
}

// validateTaint checks a taint as node taints are checked: a label key and
// value, and an effect devices know.
func validateTaint(t *resourcev1.DeviceTaint, p *field.Path) field.ErrorList {
	errs := metav1validation.ValidateLabelName(t.Key, p.Child("key"))
	for _, msg := range validation.IsValidLabelValue(t.Value) {
		errs = append(errs, field.Invalid(p.Child("value"), t.Value, msg))
	}
	switch t.Effect {
	case "":
		errs = append(errs, field.Required(p.Child("effect"), ""))
	case resourcev1.DeviceTaintEffectNone, resourcev1.DeviceTaintEffectNoSchedule, resourcev1.DeviceTaintEffectNoExecute:
	default:
		errs = append(errs, field.NotSupported(p.Child("effect"), t.Effect, taintEffects))
	}
	return errs
}
