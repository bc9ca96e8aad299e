package apps

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/podspec"
)

// deploymentStrategy is apps/v1 Deployment.
type deploymentStrategy struct{ registry.Base }

// Default applies apps/v1 defaults: one replica, a 25%/25% rolling update,
// ten old ReplicaSets kept and a ten-minute progress deadline.
func (deploymentStrategy) Default(obj runtime.Object) {
	d := obj.(*appsv1.Deployment)
	if d.Spec.Replicas == nil {
		d.Spec.Replicas = ptr[int32](1)
	}
	s := &d.Spec.Strategy
	if s.Type == "" {
		s.Type = appsv1.RollingUpdateDeploymentStrategyType
	}
	if s.Type == appsv1.RollingUpdateDeploymentStrategyType {
		if s.RollingUpdate == nil {
			s.RollingUpdate = &appsv1.RollingUpdateDeployment{}
		}
		if s.RollingUpdate.MaxUnavailable == nil {
			v := intstr.FromString("25%")
			s.RollingUpdate.MaxUnavailable = &v
		}
		if s.RollingUpdate.MaxSurge == nil {
			v := intstr.FromString("25%")
			s.RollingUpdate.MaxSurge = &v
		}
	}
	if d.Spec.RevisionHistoryLimit == nil {
		d.Spec.RevisionHistoryLimit = ptr[int32](10)
	}
	if d.Spec.ProgressDeadlineSeconds == nil {
		d.Spec.ProgressDeadlineSeconds = ptr[int32](600)
	}
	podspec.DefaultPodSpec(&d.Spec.Template.Spec)
}

// PrepareForUpdate also bumps the generation on annotation changes: the
// controller copies annotations to the ReplicaSets, so they are part of what
// it must observe (upstream does the same).
func (s deploymentStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	s.Base.PrepareForUpdate(ctx, obj, old)
	d, o := obj.(*appsv1.Deployment), old.(*appsv1.Deployment)
	if d.Generation == o.Generation && !apiequality.Semantic.DeepEqual(d.Annotations, o.Annotations) {
		d.Generation = o.Generation + 1
	}
}

func (deploymentStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	d := obj.(*appsv1.Deployment)
	errs := apivalidation.ValidateObjectMeta(&d.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateDeploymentSpec(&d.Spec, nil, field.NewPath("spec"))...)
}

func (deploymentStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	d, o := obj.(*appsv1.Deployment), old.(*appsv1.Deployment)
	errs := apivalidation.ValidateObjectMetaUpdate(&d.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateDeploymentSpec(&d.Spec, o.Spec.Selector, field.NewPath("spec"))...)
	// apps/v1 made the selector immutable: changing it would orphan every
	// ReplicaSet and pod the deployment owns.
	return append(errs, apivalidation.ValidateImmutableField(d.Spec.Selector, o.Spec.Selector, field.NewPath("spec", "selector"))...)
}

func validateDeploymentSpec(spec *appsv1.DeploymentSpec, oldSel *metav1.LabelSelector, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if spec.Replicas != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*spec.Replicas), fldPath.Child("replicas"))...)
	}
	errs = append(errs, ValidateWorkloadSelector(spec.Selector, SelectorOptions(oldSel), "deployment", fldPath.Child("selector"))...)
	errs = append(errs, validateReplicaSetTemplate(spec.Selector, &spec.Template, fldPath.Child("template"))...)
	errs = append(errs, validateDeploymentStrategy(&spec.Strategy, fldPath.Child("strategy"))...)
	errs = append(errs, apivalidation.ValidateNonnegativeField(int64(spec.MinReadySeconds), fldPath.Child("minReadySeconds"))...)
	if spec.RevisionHistoryLimit != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*spec.RevisionHistoryLimit), fldPath.Child("revisionHistoryLimit"))...)
	}
	if p := spec.ProgressDeadlineSeconds; p != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*p), fldPath.Child("progressDeadlineSeconds"))...)
		// A deadline no longer than minReadySeconds would report every
		// rollout as stalled before a pod could even count as available.
		if *p <= spec.MinReadySeconds {
			errs = append(errs, field.Invalid(fldPath.Child("progressDeadlineSeconds"), *p, "must be greater than minReadySeconds"))
		}
	}
	return errs
}

// validateReplicaSetTemplate holds what deployments and replicasets require
// of their pod template (upstream shares one function for both, and so its
// messages name ReplicaSet for both).
func validateReplicaSetTemplate(sel *metav1.LabelSelector, t *v1.PodTemplateSpec, fldPath *field.Path) field.ErrorList {
	errs := ValidateSelectorMatchesTemplate(sel, t, fldPath)
	errs = append(errs, podspec.ValidatePodTemplateSpec(t, fldPath)...)
	return append(errs, validateAlwaysRestart(&t.Spec, fldPath.Child("spec"), "ReplicaSet", true)...)
}

func validateDeploymentStrategy(s *appsv1.DeploymentStrategy, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch s.Type {
	case appsv1.RecreateDeploymentStrategyType:
		if s.RollingUpdate != nil {
			errs = append(errs, field.Forbidden(fldPath.Child("rollingUpdate"), fmt.Sprintf("may not be specified when strategy `type` is '%s'", appsv1.RecreateDeploymentStrategyType)))
		}
	case appsv1.RollingUpdateDeploymentStrategyType:
		if s.RollingUpdate == nil {
			return append(errs, field.Required(fldPath.Child("rollingUpdate"), "this should be defaulted and never be nil"))
		}
		errs = append(errs, validateRollingUpdateDeployment(s.RollingUpdate, fldPath.Child("rollingUpdate"))...)
	default:
		errs = append(errs, field.NotSupported(fldPath.Child("type"), s.Type,
			[]appsv1.DeploymentStrategyType{appsv1.RecreateDeploymentStrategyType, appsv1.RollingUpdateDeploymentStrategyType}))
	}
	return errs
}

func validateRollingUpdateDeployment(ru *appsv1.RollingUpdateDeployment, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if ru.MaxUnavailable != nil {
		errs = append(errs, ValidatePositiveIntOrPercent(*ru.MaxUnavailable, fldPath.Child("maxUnavailable"))...)
		// More than all pods unavailable is meaningless.
		errs = append(errs, IsNotMoreThan100Percent(*ru.MaxUnavailable, fldPath.Child("maxUnavailable"))...)
	}
	if ru.MaxSurge != nil {
		errs = append(errs, ValidatePositiveIntOrPercent(*ru.MaxSurge, fldPath.Child("maxSurge"))...)
	}
	if intOrPercentValue(ru.MaxUnavailable) == 0 && intOrPercentValue(ru.MaxSurge) == 0 {
		// Neither removing nor adding a pod is allowed: the rollout could
		// never make progress.
		errs = append(errs, field.Invalid(fldPath.Child("maxUnavailable"), ru.MaxUnavailable, "may not be 0 when `maxSurge` is 0"))
	}
	return errs
}

func (deploymentStrategy) ValidateStatusUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	d, o := obj.(*appsv1.Deployment), old.(*appsv1.Deployment)
	errs := apivalidation.ValidateObjectMetaUpdate(&d.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	fldPath := field.NewPath("status")
	st := &d.Status
	errs = append(errs, nonNegative(fldPath, map[string]int64{
		"observedGeneration":  st.ObservedGeneration,
		"replicas":            int64(st.Replicas),
		"updatedReplicas":     int64(st.UpdatedReplicas),
		"readyReplicas":       int64(st.ReadyReplicas),
		"availableReplicas":   int64(st.AvailableReplicas),
		"unavailableReplicas": int64(st.UnavailableReplicas),
	})...)
	if st.TerminatingReplicas != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*st.TerminatingReplicas), fldPath.Child("terminatingReplicas"))...)
	}
	if st.CollisionCount != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*st.CollisionCount), fldPath.Child("collisionCount"))...)
	}
	const msg = "cannot be greater than status.replicas"
	errs = append(errs, notGreater(fldPath.Child("updatedReplicas"), st.UpdatedReplicas, st.Replicas, msg)...)
	errs = append(errs, notGreater(fldPath.Child("readyReplicas"), st.ReadyReplicas, st.Replicas, msg)...)
	errs = append(errs, notGreater(fldPath.Child("availableReplicas"), st.AvailableReplicas, st.Replicas, msg)...)
	errs = append(errs, notGreater(fldPath.Child("availableReplicas"), st.AvailableReplicas, st.ReadyReplicas, "cannot be greater than readyReplicas")...)
	return append(errs, validateCollisionCount(st.CollisionCount, o.Status.CollisionCount, fldPath.Child("collisionCount"))...)
}

// TableColumns are kubectl's: READY UP-TO-DATE AVAILABLE AGE, and with -o
// wide CONTAINERS IMAGES SELECTOR.
func (deploymentStrategy) TableColumns() []metav1.TableColumnDefinition {
	cols := []metav1.TableColumnDefinition{
		{Name: "Ready", Type: "string", Description: "Number of the pod with ready state"},
		{Name: "Up-to-date", Type: "string", Description: appsv1.DeploymentStatus{}.SwaggerDoc()["updatedReplicas"]},
		{Name: "Available", Type: "string", Description: appsv1.DeploymentStatus{}.SwaggerDoc()["availableReplicas"]},
		registry.AgeColumn,
	}
	cols = append(cols, containerColumns()...)
	return append(cols, metav1.TableColumnDefinition{Name: "Selector", Type: "string", Priority: 1, Description: appsv1.DeploymentSpec{}.SwaggerDoc()["selector"]})
}

func (deploymentStrategy) TableRow(obj runtime.Object) []interface{} {
	d := obj.(*appsv1.Deployment)
	names, images := ContainerCells(d.Spec.Template.Spec.Containers)
	// Unlike the other workloads kubectl prints the parsed selector here, so
	// an unparsable one shows as <invalid> rather than raw.
	selector := "<invalid>"
	if s, err := metav1.LabelSelectorAsSelector(d.Spec.Selector); err == nil {
		selector = s.String()
	}
	return []interface{}{
		fmt.Sprintf("%d/%d", d.Status.ReadyReplicas, deref(d.Spec.Replicas)),
		int64(d.Status.UpdatedReplicas),
		int64(d.Status.AvailableReplicas),
		registry.Age(obj),
		names, images, selector,
	}
}
