package core

import (
	"context"
	"strings"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func namespaces() *registry.Resource {
	return &registry.Resource{
		GroupVersion: v1.SchemeGroupVersion, Kind: "Namespace",
		Plural: "namespaces", Singular: "namespace", ShortNames: []string{"ns"},
		New:     func() runtime.Object { return &v1.Namespace{} },
		NewList: func() runtime.Object { return &v1.NamespaceList{} },
		// finalize updates spec.finalizers only; the namespace controller
		// uses it to release a namespace once its content is gone.
		Strategy:     namespaceStrategy{},
		Subresources: []string{"status", "finalize"},
	}
}

type namespaceStrategy struct{ registry.Base }

// Default labels every named namespace with its own name, so namespace
// selectors can pick namespaces by name.
func (namespaceStrategy) Default(obj runtime.Object) {
	ns := obj.(*v1.Namespace)
	if ns.Name != "" {
		if ns.Labels == nil {
			ns.Labels = map[string]string{}
		}
		ns.Labels[v1.LabelMetadataName] = ns.Name
	}
}

// PrepareForCreate makes a new namespace Active and guarantees the
// "kubernetes" finalizer, which holds deletion until the namespace
// controller has emptied it. It is added here rather than as a default
// because clients may remove it later in the object's life.
func (s namespaceStrategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	s.Base.PrepareForCreate(ctx, obj)
	ns := obj.(*v1.Namespace)
	ns.Status = v1.NamespaceStatus{Phase: v1.NamespaceActive}
	for _, f := range ns.Spec.Finalizers {
		if f == v1.FinalizerKubernetes {
			return
		}
	}
	ns.Spec.Finalizers = append(ns.Spec.Finalizers, v1.FinalizerKubernetes)
}

// PrepareForUpdate keeps spec.finalizers: they change through /finalize only.
func (s namespaceStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	s.Base.PrepareForUpdate(ctx, obj, old)
	obj.(*v1.Namespace).Spec.Finalizers = old.(*v1.Namespace).Spec.Finalizers
}

func (namespaceStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	ns := obj.(*v1.Namespace)
	errs := validateMeta(&ns.ObjectMeta, false, labelName)
	return append(errs, validateNamespaceFinalizers(ns.Spec.Finalizers)...)
}

func (namespaceStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	ns, oldNs := obj.(*v1.Namespace), old.(*v1.Namespace)
	errs := validateMetaUpdate(&ns.ObjectMeta, &oldNs.ObjectMeta, false, labelName)
	return append(errs, validateNamespaceFinalizers(ns.Spec.Finalizers)...)
}

// ValidateStatusUpdate ties the phase to deletion: Terminating exactly when
// a deletion timestamp is set.
func (namespaceStrategy) ValidateStatusUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	ns, oldNs := obj.(*v1.Namespace), old.(*v1.Namespace)
	errs := validateMetaUpdate(&ns.ObjectMeta, &oldNs.ObjectMeta, false, labelName)
	phase := field.NewPath("status", "phase")
	if ns.DeletionTimestamp.IsZero() {
		if ns.Status.Phase != v1.NamespaceActive {
			errs = append(errs, field.Invalid(phase, ns.Status.Phase, "may only be 'Active' if `deletionTimestamp` is empty"))
		}
	} else if ns.Status.Phase != v1.NamespaceTerminating {
		errs = append(errs, field.Invalid(phase, ns.Status.Phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"))
	}
	return errs
}

// validateNamespaceFinalizers: a finalizer is either the standard
// "kubernetes" or a domain-qualified name.
func validateNamespaceFinalizers(finalizers []v1.FinalizerName) field.ErrorList {
	var errs field.ErrorList
	p := field.NewPath("spec", "finalizers")
	for _, f := range finalizers {
		name := string(f)
		msgs := utilvalidation.IsQualifiedName(name)
		for _, msg := range msgs {
			errs = append(errs, field.Invalid(p, name, msg))
		}
		if len(msgs) == 0 && !strings.Contains(name, "/") && f != v1.FinalizerKubernetes {
			errs = append(errs, field.Invalid(p, name, "name is neither a standard finalizer name nor is it fully qualified"))
		}
	}
	return errs
}

func (namespaceStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		registry.Column("Status", "string", "The status of the namespace", false),
		registry.AgeColumn,
	}
}

func (namespaceStrategy) TableRow(obj runtime.Object) []interface{} {
	ns := obj.(*v1.Namespace)
	return []interface{}{string(ns.Status.Phase), registry.Age(obj)}
}

func (namespaceStrategy) SelectableFields(obj runtime.Object) fields.Set {
	f := registry.MetaFields(obj)
	f["status.phase"] = string(obj.(*v1.Namespace).Status.Phase)
	return f
}
