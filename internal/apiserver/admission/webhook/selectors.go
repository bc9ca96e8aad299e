package webhook

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

// matchesNamespace matches the hook's namespaceSelector. Cluster-scoped
// objects other than namespaces are never exempted by it; a Namespace is
// matched by its own labels (on create and update the new ones, which no
// cache can know yet); everything else by its namespace's labels.
func (h *hook) matchesNamespace(ctx context.Context, a *admission.Attributes, deps *Deps) (bool, error) {
	if a.Namespace == "" && !isNamespace(a) {
		return true, nil
	}
	sel, err := selector(h.namespaceSel)
	if err != nil || sel.Empty() {
		return err == nil, err
	}
	if isNamespace(a) && a.Subresource == "" && (a.Operation == admission.Create || a.Operation == admission.Update) {
		return sel.Matches(objectLabels(a.Object)), nil
	}
	name := a.Namespace
	if isNamespace(a) {
		name = a.Name
	}
	if deps.Namespaces == nil {
		return false, apierrors.NewInternalError(fmt.Errorf("webhook %q has a namespaceSelector but no namespace lister is configured", h.name))
	}
	ns, err := deps.Namespaces.Get(name)
	if apierrors.IsNotFound(err) && deps.LiveNamespace != nil {
		ns, err = deps.LiveNamespace(ctx, name)
	}
	if apierrors.IsNotFound(err) {
		// As upstream: a 404 for the namespace, the answer the write would
		// get from namespace lifecycle anyway.
		return false, apierrors.NewNotFound(namespacesResource, name)
	}
	if err != nil {
		return false, apierrors.NewInternalError(err)
	}
	return sel.Matches(labels.Set(ns.Labels)), nil
}

// matchesObject matches the hook's objectSelector against the new object
// or the old one: a webhook selecting "team=a" sees an object that leaves
// or joins team a, and a deletion of one.
func (h *hook) matchesObject(a *admission.Attributes) (bool, error) {
	sel, err := selector(h.objectSel)
	if err != nil || sel.Empty() {
		return err == nil, err
	}
	return (a.Object != nil && sel.Matches(objectLabels(a.Object))) ||
		(a.OldObject != nil && sel.Matches(objectLabels(a.OldObject))), nil
}

// selector parses a label selector; nil selects everything.
func selector(s *metav1.LabelSelector) (labels.Selector, error) {
	if s == nil {
		return labels.Everything(), nil
	}
	sel, err := metav1.LabelSelectorAsSelector(s)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	return sel, nil
}

func objectLabels(obj runtime.Object) labels.Set {
	m, err := meta.Accessor(obj)
	if err != nil {
		return nil
	}
	return labels.Set(m.GetLabels())
}
