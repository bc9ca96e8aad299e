package apiserver

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/storage"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/core"
)

// Namespaces differ from other kinds in two ways the generic handler must
// know: their deletion waits on spec.finalizers (emptied through /finalize
// by the namespace controller once the namespace's content is gone), and
// while being deleted they show phase Terminating.

// prepareFinalize keeps everything of current but the spec.finalizers the
// client sent to /finalize.
func prepareFinalize(obj, current runtime.Object) {
	ns, ok := obj.(*corev1.Namespace)
	cur, ok2 := current.(*corev1.Namespace)
	if ok && ok2 {
		core.PrepareNamespaceFinalize(ns, cur)
	}
}

// validateFinalize checks a /finalize update.
func validateFinalize(obj, current runtime.Object) field.ErrorList {
	ns, ok := obj.(*corev1.Namespace)
	cur, ok2 := current.(*corev1.Namespace)
	if !ok || !ok2 {
		return nil
	}
	return core.ValidateNamespaceFinalize(ns, cur)
}

// readyToRemove tells whether an object marked for deletion with no
// metadata finalizers left may go: a namespace also needs empty
// spec.finalizers.
func (h *resourceHandler) readyToRemove(obj runtime.Object) bool {
	if ns, ok := obj.(*corev1.Namespace); ok {
		return len(ns.Spec.Finalizers) == 0
	}
	return true
}

// markTerminating sets a namespace's phase when its deletion starts.
func markTerminating(obj runtime.Object) {
	if ns, ok := obj.(*corev1.Namespace); ok {
		ns.Status.Phase = corev1.NamespaceTerminating
	}
}

// Namespace reads a namespace for admission (NamespaceLifecycle): from the
// watch cache, which costs no etcd round trip on every create, unless live
// is set; and from etcd when the cache does not have it, since a namespace
// created a moment ago may not have reached the cache yet.
func (s *Server) Namespace(ctx context.Context, name string, live bool) (*corev1.Namespace, error) {
	h := s.byGroupResource[schema.GroupResource{Resource: "namespaces"}]
	if h == nil {
		return nil, fmt.Errorf("namespaces are not served")
	}
	key := h.key("", name)
	if !live {
		list := &corev1.NamespaceList{}
		opts := storage.ListOptions{ResourceVersion: "0", Predicate: storage.Predicate{
			Field: fields.OneTermEqualSelector("metadata.name", name), GetAttrs: h.getAttrs}}
		if err := h.store.List(ctx, key, opts, list); err == nil && len(list.Items) == 1 {
			return &list.Items[0], nil
		}
	}
	ns := &corev1.Namespace{}
	if err := h.store.Get(ctx, key, ns); err != nil {
		return nil, err
	}
	return ns, nil
}
