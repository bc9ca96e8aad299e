package apiserver

import (
	"net/http"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/core"
)

// serveBinding serves POST pods/{name}/binding, the scheduler's way of
// placing a pod: it sets spec.nodeName once (409 if already bound) and the
// PodScheduled condition.
func (h *resourceHandler) serveBinding(w http.ResponseWriter, r *http.Request, info *RequestInfo) {
	if info.Verb != "create" {
		writeError(w, r, apierrors.NewMethodNotSupported(h.groupResource(), info.Verb))
		return
	}
	opts, body, err := readWrite(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	binding := &corev1.Binding{}
	if _, err := decodeObject(r, body, corev1.SchemeGroupVersion.WithKind("Binding"), binding, "Ignore"); err != nil {
		writeError(w, r, err)
		return
	}
	if binding.Name != "" && binding.Name != info.Name {
		writeError(w, r, badRequest("the name of the object (%s) does not match the name on the URL (%s)", binding.Name, info.Name))
		return
	}
	_, err = h.updateObject(r.Context(), info.Namespace, info.Name, "binding", opts, func(current runtime.Object) (runtime.Object, error) {
		pod := current.(*corev1.Pod)
		if err := core.BindPod(pod, binding, metav1.Now()); err != nil {
			return nil, apierrors.NewConflict(h.groupResource(), pod.Name, err)
		}
		return pod, nil
	})
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeStatusSuccess(w, r, http.StatusCreated)
}

// serveEviction serves POST pods/{name}/eviction: a delete that honours
// the eviction's DeleteOptions and the pod's PodDisruptionBudget (see
// chargeDisruptionBudget); a pod already being deleted is deleted again
// without charging its budget twice.
func (h *resourceHandler) serveEviction(w http.ResponseWriter, r *http.Request, info *RequestInfo) {
	if info.Verb != "create" {
		writeError(w, r, apierrors.NewMethodNotSupported(h.groupResource(), info.Verb))
		return
	}
	body, err := readBody(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	eviction := &policyv1.Eviction{}
	if _, err := decodeObject(r, body, policyv1.SchemeGroupVersion.WithKind("Eviction"), eviction, "Ignore"); err != nil {
		writeError(w, r, err)
		return
	}
	opts := eviction.DeleteOptions
	if opts == nil {
		opts = &metav1.DeleteOptions{}
	}
	dry, _ := dryRun(r)
	if dry {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	if err := h.server.admitSubresourceCreate(r.Context(), info, policyv1.SchemeGroupVersion.WithKind("Eviction"), eviction, dry); err != nil {
		writeError(w, r, err)
		return
	}
	pod := &corev1.Pod{}
	if err := h.store.Get(r.Context(), h.key(info.Namespace, info.Name), pod); err != nil {
		writeError(w, r, err)
		return
	}
	if pod.DeletionTimestamp == nil {
		if err := h.server.chargeDisruptionBudget(r.Context(), pod, dry); err != nil {
			writeError(w, r, err)
			return
		}
	}
	if _, err := h.deleteObject(r.Context(), info.Namespace, info.Name, opts); err != nil {
		writeError(w, r, err)
		return
	}
	writeStatusSuccess(w, r, http.StatusCreated)
}

func writeStatusSuccess(w http.ResponseWriter, r *http.Request, code int) {
	format, ok := negotiateOutput(r)
	if !ok {
		writeError(w, r, notAcceptable())
		return
	}
	st := &metav1.Status{Status: metav1.StatusSuccess, Code: int32(code)}
	st.SetGroupVersionKind(statusGVK)
	writeObjectWithFormat(w, code, format, st)
}
