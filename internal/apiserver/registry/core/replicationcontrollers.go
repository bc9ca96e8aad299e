package core

import (
	"context"
	"strconv"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/podspec"
	v1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func replicationControllers() *registry.Resource {
	return &registry.Resource{
		GroupVersion: v1.SchemeGroupVersion, Kind: "ReplicationController",
		Plural: "replicationcontrollers", Singular: "replicationcontroller", ShortNames: []string{"rc"},
		Categories: []string{"all"}, Namespaced: true,
		New:          func() runtime.Object { return &v1.ReplicationController{} },
		NewList:      func() runtime.Object { return &v1.ReplicationControllerList{} },
		Strategy:     rcStrategy{},
		Subresources: []string{"status", "scale"},
	}
}

type rcStrategy struct{ registry.Base }

// Default takes the selector and the object's labels from the template's
// labels when unset, and one replica, as upstream does.
func (rcStrategy) Default(obj runtime.Object) {
	rc := obj.(*v1.ReplicationController)
	if t := rc.Spec.Template; t != nil {
		if t.Labels != nil {
			if len(rc.Spec.Selector) == 0 {
				rc.Spec.Selector = copyLabels(t.Labels)
			}
			if len(rc.Labels) == 0 {
				rc.Labels = copyLabels(t.Labels)
			}
		}
		podspec.DefaultPodSpec(&t.Spec)
	}
	if rc.Spec.Replicas == nil {
		rc.Spec.Replicas = ptr(int32(1))
	}
}

func copyLabels(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (rcStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	rc := obj.(*v1.ReplicationController)
	return append(validateMeta(&rc.ObjectMeta, true, subdomainName), validateRCSpec(&rc.Spec)...)
}

func (rcStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	rc, oldRc := obj.(*v1.ReplicationController), old.(*v1.ReplicationController)
	return append(validateMetaUpdate(&rc.ObjectMeta, &oldRc.ObjectMeta, true, subdomainName), validateRCSpec(&rc.Spec)...)
}

func validateRCSpec(spec *v1.ReplicationControllerSpec) field.ErrorList {
	var errs field.ErrorList
	p := field.NewPath("spec")
	errs = append(errs, apivalidation.ValidateNonnegativeField(int64(spec.MinReadySeconds), p.Child("minReadySeconds"))...)
	if spec.Replicas != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*spec.Replicas), p.Child("replicas"))...)
	}
	selector := labels.Set(spec.Selector).AsSelector()
	if selector.Empty() {
		errs = append(errs, field.Required(p.Child("selector"), ""))
	} else {
		errs = append(errs, metav1validation.ValidateLabels(spec.Selector, p.Child("selector"))...)
	}
	tp := p.Child("template")
	t := spec.Template
	if t == nil {
		return append(errs, field.Required(tp, ""))
	}
	// The controller finds its pods by the selector; pods it creates from
	// a template the selector does not match would be orphans at once.
	if !selector.Empty() && !selector.Matches(labels.Set(t.Labels)) {
		errs = append(errs, field.Invalid(tp.Child("metadata", "labels"), t.Labels, "`selector` does not match template `labels`"))
	}
	errs = append(errs, podspec.ValidatePodTemplateSpec(t, tp)...)
	if t.Spec.RestartPolicy != v1.RestartPolicyAlways {
		errs = append(errs, field.NotSupported(tp.Child("spec", "restartPolicy"), t.Spec.RestartPolicy, []v1.RestartPolicy{v1.RestartPolicyAlways}))
	}
	if t.Spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, field.Forbidden(tp.Child("spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in ReplicationController is not Supported"))
	}
	return errs
}

// ValidateStatusUpdate keeps the controller's counters consistent.
func (rcStrategy) ValidateStatusUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	rc, oldRc := obj.(*v1.ReplicationController), old.(*v1.ReplicationController)
	errs := validateMetaUpdate(&rc.ObjectMeta, &oldRc.ObjectMeta, true, subdomainName)
	st := rc.Status
	p := field.NewPath("status")
	for _, c := range []struct {
		name string
		v    int64
	}{{"replicas", int64(st.Replicas)}, {"fullyLabeledReplicas", int64(st.FullyLabeledReplicas)}, {"readyReplicas", int64(st.ReadyReplicas)},
		{"availableReplicas", int64(st.AvailableReplicas)}, {"observedGeneration", st.ObservedGeneration}} {
		errs = append(errs, apivalidation.ValidateNonnegativeField(c.v, p.Child(c.name))...)
	}
	if st.FullyLabeledReplicas > st.Replicas {
		errs = append(errs, field.Invalid(p.Child("fullyLabeledReplicas"), st.FullyLabeledReplicas, "cannot be greater than status.replicas"))
	}
	if st.ReadyReplicas > st.Replicas {
		errs = append(errs, field.Invalid(p.Child("readyReplicas"), st.ReadyReplicas, "cannot be greater than status.replicas"))
	}
	if st.AvailableReplicas > st.Replicas {
		errs = append(errs, field.Invalid(p.Child("availableReplicas"), st.AvailableReplicas, "cannot be greater than status.replicas"))
	}
	if st.AvailableReplicas > st.ReadyReplicas {
		errs = append(errs, field.Invalid(p.Child("availableReplicas"), st.AvailableReplicas, "cannot be greater than readyReplicas"))
	}
	return errs
}

// SelectableFields adds status.replicas, upstream's one RC field selector.
func (rcStrategy) SelectableFields(obj runtime.Object) fields.Set {
	f := registry.MetaFields(obj)
	f["status.replicas"] = strconv.Itoa(int(obj.(*v1.ReplicationController).Status.Replicas))
	return f
}

func (rcStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		registry.Column("Desired", "integer", "Replicas is the number of desired replicas.", false),
		registry.Column("Current", "integer", "Replicas is the most recently observed number of replicas.", false),
		registry.Column("Ready", "integer", "The number of ready replicas for this replication controller.", false),
		registry.AgeColumn,
		registry.Column("Containers", "string", "Names of each container in the template.", true),
		registry.Column("Images", "string", "Images referenced by each container in the template.", true),
		registry.Column("Selector", "string", "Selector is a label query over pods that should match the Replicas count.", true),
	}
}

func (rcStrategy) TableRow(obj runtime.Object) []interface{} {
	rc := obj.(*v1.ReplicationController)
	desired := int64(0)
	if rc.Spec.Replicas != nil {
		desired = int64(*rc.Spec.Replicas)
	}
	var containers []v1.Container
	if rc.Spec.Template != nil {
		containers = rc.Spec.Template.Spec.Containers
	}
	names, images := containerCells(containers)
	return []interface{}{
		desired, int64(rc.Status.Replicas), int64(rc.Status.ReadyReplicas), registry.Age(obj),
		names, images, labels.FormatLabels(rc.Spec.Selector),
	}
}
