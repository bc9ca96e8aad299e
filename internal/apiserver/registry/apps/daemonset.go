package apps

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/podspec"
)

// daemonSetStrategy is apps/v1 DaemonSet.
type daemonSetStrategy struct{ registry.Base }

// Default applies apps/v1 defaults: a rolling update replacing one node's
// pod at a time without surge, and ten revisions kept.
func (daemonSetStrategy) Default(obj runtime.Object) {
	ds := obj.(*appsv1.DaemonSet)
	u := &ds.Spec.UpdateStrategy
	if u.Type == "" {
		u.Type = appsv1.RollingUpdateDaemonSetStrategyType
	}
	if u.Type == appsv1.RollingUpdateDaemonSetStrategyType {
		if u.RollingUpdate == nil {
			u.RollingUpdate = &appsv1.RollingUpdateDaemonSet{}
		}
		if u.RollingUpdate.MaxUnavailable == nil {
			v := intstr.FromInt32(1)
			u.RollingUpdate.MaxUnavailable = &v
		}
		if u.RollingUpdate.MaxSurge == nil {
			v := intstr.FromInt32(0)
			u.RollingUpdate.MaxSurge = &v
		}
	}
	if ds.Spec.RevisionHistoryLimit == nil {
		ds.Spec.RevisionHistoryLimit = ptr[int32](10)
	}
	podspec.DefaultPodSpec(&ds.Spec.Template.Spec)
}

func (daemonSetStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	ds := obj.(*appsv1.DaemonSet)
	errs := apivalidation.ValidateObjectMeta(&ds.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateDaemonSetSpec(&ds.Spec, nil, field.NewPath("spec"))...)
}

func (daemonSetStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	ds, o := obj.(*appsv1.DaemonSet), old.(*appsv1.DaemonSet)
	errs := apivalidation.ValidateObjectMetaUpdate(&ds.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateDaemonSetSpec(&ds.Spec, o.Spec.Selector, field.NewPath("spec"))...)
	// Immutable in apps/v1: a new selector would orphan every node's pod.
	return append(errs, apivalidation.ValidateImmutableField(ds.Spec.Selector, o.Spec.Selector, field.NewPath("spec", "selector"))...)
}

func validateDaemonSetSpec(spec *appsv1.DaemonSetSpec, oldSel *metav1.LabelSelector, fldPath *field.Path) field.ErrorList {
	errs := ValidateWorkloadSelector(spec.Selector, SelectorOptions(oldSel), "daemonset", fldPath.Child("selector"))
	tpath := fldPath.Child("template")
	errs = append(errs, ValidateSelectorMatchesTemplate(spec.Selector, &spec.Template, tpath)...)
	errs = append(errs, podspec.ValidatePodTemplateSpec(&spec.Template, tpath)...)
	errs = append(errs, validateAlwaysRestart(&spec.Template.Spec, tpath.Child("spec"), "DaemonSet", false)...)
	errs = append(errs, apivalidation.ValidateNonnegativeField(int64(spec.MinReadySeconds), fldPath.Child("minReadySeconds"))...)
	errs = append(errs, validateDaemonSetUpdateStrategy(&spec.UpdateStrategy, fldPath.Child("updateStrategy"))...)
	if spec.RevisionHistoryLimit != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*spec.RevisionHistoryLimit), fldPath.Child("revisionHistoryLimit"))...)
	}
	return errs
}

func validateDaemonSetUpdateStrategy(u *appsv1.DaemonSetUpdateStrategy, fldPath *field.Path) field.ErrorList {
	switch u.Type {
	case appsv1.OnDeleteDaemonSetStrategyType:
		return nil
	case appsv1.RollingUpdateDaemonSetStrategyType:
		if u.RollingUpdate == nil {
			return field.ErrorList{field.Required(fldPath.Child("rollingUpdate"), "")}
		}
		return validateRollingUpdateDaemonSet(u.RollingUpdate, fldPath.Child("rollingUpdate"))
	default:
		return field.ErrorList{field.NotSupported(fldPath.Child("type"), u.Type,
			[]appsv1.DaemonSetUpdateStrategyType{appsv1.RollingUpdateDaemonSetStrategyType, appsv1.OnDeleteDaemonSetStrategyType})}
	}
}

func validateRollingUpdateDaemonSet(ru *appsv1.RollingUpdateDaemonSet, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for name, v := range map[string]*intstr.IntOrString{"maxUnavailable": ru.MaxUnavailable, "maxSurge": ru.MaxSurge} {
		if v != nil {
			errs = append(errs, ValidatePositiveIntOrPercent(*v, fldPath.Child(name))...)
			errs = append(errs, IsNotMoreThan100Percent(*v, fldPath.Child(name))...)
		}
	}
	// A node runs at most two copies of the pod: either the old one goes
	// first (maxUnavailable) or the new one comes first (maxSurge), never
	// both, and at least one of them must move the rollout forward.
	hasUnavailable, hasSurge := intOrPercentValue(ru.MaxUnavailable) != 0, intOrPercentValue(ru.MaxSurge) != 0
	switch {
	case hasUnavailable && hasSurge:
		errs = append(errs, field.Invalid(fldPath.Child("maxSurge"), ru.MaxSurge, "may not be set when maxUnavailable is non-zero"))
	case !hasUnavailable && !hasSurge:
		errs = append(errs, field.Required(fldPath.Child("maxUnavailable"), "cannot be 0 when maxSurge is 0"))
	}
	return sortErrors(errs)
}

func (daemonSetStrategy) ValidateStatusUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	ds, o := obj.(*appsv1.DaemonSet), old.(*appsv1.DaemonSet)
	errs := apivalidation.ValidateObjectMetaUpdate(&ds.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	fldPath := field.NewPath("status")
	st := &ds.Status
	errs = append(errs, nonNegative(fldPath, map[string]int64{
		"currentNumberScheduled": int64(st.CurrentNumberScheduled),
		"numberMisscheduled":     int64(st.NumberMisscheduled),
		"desiredNumberScheduled": int64(st.DesiredNumberScheduled),
		"numberReady":            int64(st.NumberReady),
		"observedGeneration":     st.ObservedGeneration,
		"updatedNumberScheduled": int64(st.UpdatedNumberScheduled),
		"numberAvailable":        int64(st.NumberAvailable),
		"numberUnavailable":      int64(st.NumberUnavailable),
	})...)
	if st.CollisionCount != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*st.CollisionCount), fldPath.Child("collisionCount"))...)
	}
	return append(errs, validateCollisionCount(st.CollisionCount, o.Status.CollisionCount, fldPath.Child("collisionCount"))...)
}

// TableColumns are kubectl's: DESIRED CURRENT READY UP-TO-DATE AVAILABLE
// NODE SELECTOR AGE, and with -o wide CONTAINERS IMAGES SELECTOR.
func (daemonSetStrategy) TableColumns() []metav1.TableColumnDefinition {
	doc := appsv1.DaemonSetStatus{}.SwaggerDoc()
	cols := []metav1.TableColumnDefinition{
		{Name: "Desired", Type: "integer", Description: doc["desiredNumberScheduled"]},
		{Name: "Current", Type: "integer", Description: doc["currentNumberScheduled"]},
		{Name: "Ready", Type: "integer", Description: doc["numberReady"]},
		{Name: "Up-to-date", Type: "integer", Description: doc["updatedNumberScheduled"]},
		{Name: "Available", Type: "integer", Description: doc["numberAvailable"]},
		{Name: "Node Selector", Type: "string", Description: corev1.PodSpec{}.SwaggerDoc()["nodeSelector"]},
		registry.AgeColumn,
	}
	cols = append(cols, containerColumns()...)
	return append(cols, metav1.TableColumnDefinition{Name: "Selector", Type: "string", Priority: 1, Description: appsv1.DaemonSetSpec{}.SwaggerDoc()["selector"]})
}

func (daemonSetStrategy) TableRow(obj runtime.Object) []interface{} {
	ds := obj.(*appsv1.DaemonSet)
	st := &ds.Status
	names, images := ContainerCells(ds.Spec.Template.Spec.Containers)
	return []interface{}{
		int64(st.DesiredNumberScheduled),
		int64(st.CurrentNumberScheduled),
		int64(st.NumberReady),
		int64(st.UpdatedNumberScheduled),
		int64(st.NumberAvailable),
		labels.FormatLabels(ds.Spec.Template.Spec.NodeSelector),
		registry.Age(obj),
		names, images, SelectorCell(ds.Spec.Selector),
	}
}
