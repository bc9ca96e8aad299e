package apps

import (
	"context"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/podspec"
)

// replicaSetStrategy is apps/v1 ReplicaSet.
type replicaSetStrategy struct{ registry.Base }

// Default sets one replica, as upstream.
func (replicaSetStrategy) Default(obj runtime.Object) {
	rs := obj.(*appsv1.ReplicaSet)
	if rs.Spec.Replicas == nil {
		rs.Spec.Replicas = ptr[int32](1)
	}
	podspec.DefaultPodSpec(&rs.Spec.Template.Spec)
}

func (replicaSetStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	rs := obj.(*appsv1.ReplicaSet)
	errs := apivalidation.ValidateObjectMeta(&rs.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateReplicaSetSpec(&rs.Spec, nil, field.NewPath("spec"))...)
}

func (replicaSetStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	rs, o := obj.(*appsv1.ReplicaSet), old.(*appsv1.ReplicaSet)
	errs := apivalidation.ValidateObjectMetaUpdate(&rs.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateReplicaSetSpec(&rs.Spec, o.Spec.Selector, field.NewPath("spec"))...)
	// Immutable in apps/v1: a new selector would orphan the pods.
	return append(errs, apivalidation.ValidateImmutableField(rs.Spec.Selector, o.Spec.Selector, field.NewPath("spec", "selector"))...)
}

func validateReplicaSetSpec(spec *appsv1.ReplicaSetSpec, oldSel *metav1.LabelSelector, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if spec.Replicas != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*spec.Replicas), fldPath.Child("replicas"))...)
	}
	errs = append(errs, apivalidation.ValidateNonnegativeField(int64(spec.MinReadySeconds), fldPath.Child("minReadySeconds"))...)
	// Upstream's message says "deployment" here too; kept for fidelity.
	errs = append(errs, ValidateWorkloadSelector(spec.Selector, SelectorOptions(oldSel), "deployment", fldPath.Child("selector"))...)
	return append(errs, validateReplicaSetTemplate(spec.Selector, &spec.Template, fldPath.Child("template"))...)
}

func (replicaSetStrategy) ValidateStatusUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	rs, o := obj.(*appsv1.ReplicaSet), old.(*appsv1.ReplicaSet)
	errs := apivalidation.ValidateObjectMetaUpdate(&rs.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	fldPath := field.NewPath("status")
	st := &rs.Status
	errs = append(errs, nonNegative(fldPath, map[string]int64{
		"observedGeneration":   st.ObservedGeneration,
		"replicas":             int64(st.Replicas),
		"fullyLabeledReplicas": int64(st.FullyLabeledReplicas),
		"readyReplicas":        int64(st.ReadyReplicas),
		"availableReplicas":    int64(st.AvailableReplicas),
	})...)
	if st.TerminatingReplicas != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*st.TerminatingReplicas), fldPath.Child("terminatingReplicas"))...)
	}
	const msg = "cannot be greater than status.replicas"
	errs = append(errs, notGreater(fldPath.Child("fullyLabeledReplicas"), st.FullyLabeledReplicas, st.Replicas, msg)...)
	errs = append(errs, notGreater(fldPath.Child("readyReplicas"), st.ReadyReplicas, st.Replicas, msg)...)
	errs = append(errs, notGreater(fldPath.Child("availableReplicas"), st.AvailableReplicas, st.Replicas, msg)...)
	return append(errs, notGreater(fldPath.Child("availableReplicas"), st.AvailableReplicas, st.ReadyReplicas, "cannot be greater than readyReplicas")...)
}

// TableColumns are kubectl's: DESIRED CURRENT READY AGE, and with -o wide
// CONTAINERS IMAGES SELECTOR.
func (replicaSetStrategy) TableColumns() []metav1.TableColumnDefinition {
	cols := []metav1.TableColumnDefinition{
		{Name: "Desired", Type: "integer", Description: appsv1.ReplicaSetSpec{}.SwaggerDoc()["replicas"]},
		{Name: "Current", Type: "integer", Description: appsv1.ReplicaSetStatus{}.SwaggerDoc()["replicas"]},
		{Name: "Ready", Type: "integer", Description: appsv1.ReplicaSetStatus{}.SwaggerDoc()["readyReplicas"]},
		registry.AgeColumn,
	}
	cols = append(cols, containerColumns()...)
	return append(cols, metav1.TableColumnDefinition{Name: "Selector", Type: "string", Priority: 1, Description: appsv1.ReplicaSetSpec{}.SwaggerDoc()["selector"]})
}

func (replicaSetStrategy) TableRow(obj runtime.Object) []interface{} {
	rs := obj.(*appsv1.ReplicaSet)
	names, images := ContainerCells(rs.Spec.Template.Spec.Containers)
	return []interface{}{
		int64(deref(rs.Spec.Replicas)),
		int64(rs.Status.Replicas),
		int64(rs.Status.ReadyReplicas),
		registry.Age(obj),
		names, images, SelectorCell(rs.Spec.Selector),
	}
}

// SelectableFields adds status.replicas, which upstream serves so that
// clients can list the ReplicaSets still holding pods.
func (replicaSetStrategy) SelectableFields(obj runtime.Object) fields.Set {
	set := registry.MetaFields(obj)
	set["status.replicas"] = strconv.Itoa(int(obj.(*appsv1.ReplicaSet).Status.Replicas))
	return set
}
