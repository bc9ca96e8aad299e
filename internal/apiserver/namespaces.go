package apiserver

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

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
