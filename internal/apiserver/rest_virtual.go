package apiserver

import (
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
)

// serveVirtual serves a resource that is computed, not stored (access and
// token reviews): POST decodes the request object, the resource's Create
// answers it, and nothing is written, so there is nothing to admit.
func (h *resourceHandler) serveVirtual(w http.ResponseWriter, r *http.Request, info *RequestInfo) {
	if info.Verb != "create" || info.Subresource != "" {
		writeError(w, r, apierrors.NewMethodNotSupported(h.groupResource(), info.Verb))
		return
	}
	_, obj, warnings, err := h.decodeWrite(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	if m, err := meta.Accessor(obj); err == nil && h.res.Namespaced {
		if m.GetNamespace() != "" && m.GetNamespace() != info.Namespace {
			writeError(w, r, badRequest("the namespace of the provided object does not match the namespace sent on the request"))
			return
		}
		m.SetNamespace(info.Namespace)
	}
	ctx := r.Context()
	h.res.Strategy.Default(obj)
	if errs := h.res.Strategy.Validate(ctx, obj); len(errs) > 0 {
		writeError(w, r, apierrors.NewInvalid(h.res.GroupVersionKind().GroupKind(), "", errs))
		return
	}
	out, err := h.res.Create(ctx, obj)
	if err != nil {
		writeError(w, r, err)
		return
	}
	warn(w, warnings)
	h.writeObject(w, r, http.StatusCreated, out)
}
