package apiserver

import (
	"fmt"
	"net/http"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// serveBinding serves POST pods/{name}/binding, the scheduler's way of
// placing a pod: it sets spec.nodeName once (409 if already bound) and the
// PodScheduled condition.
func (h *resourceHandler) serveBinding(w http.ResponseWriter, r *http.Request, info *RequestInfo) {
	if info.Verb != "create" {
		writeError(w, r, apierrors.NewMethodNotSupported(h.groupResource(), info.Verb))
		return
	}
	opts, err := writeOptionsFrom(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	body, err := readBody(r)
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
	if binding.Target.Kind != "" && binding.Target.Kind != "Node" {
		writeError(w, r, apierrors.NewInvalid(corev1.SchemeGroupVersion.WithKind("Binding").GroupKind(), info.Name, nil))
		return
	}
	if binding.Target.Name == "" {
		writeError(w, r, badRequest("binding target name (the node) is required"))
		return
	}
	_, err = h.updateObject(r.Context(), info.Namespace, info.Name, "binding", opts, func(current runtime.Object) (runtime.Object, error) {
		pod := current.(*corev1.Pod)
		if pod.DeletionTimestamp != nil {
			return nil, apierrors.NewConflict(h.groupResource(), pod.Name, fmt.Errorf("pod %s is being deleted, cannot be assigned to a host", pod.Name))
		}
		if pod.Spec.NodeName != "" {
			return nil, apierrors.NewConflict(h.groupResource(), pod.Name, fmt.Errorf("pod %s is already assigned to node %q", pod.Name, pod.Spec.NodeName))
		}
		if binding.UID != "" && binding.UID != pod.UID {
			return nil, apierrors.NewConflict(h.groupResource(), pod.Name, fmt.Errorf("the UID of the binding does not match the pod"))
		}
		pod.Spec.NodeName = binding.Target.Name
		setPodCondition(pod, corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: metav1.Now()})
		return pod, nil
	})
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeStatusSuccess(w, r, http.StatusCreated)
}

// serveEviction serves POST pods/{name}/eviction: a delete that honours
// the eviction's DeleteOptions (PodDisruptionBudgets arrive with the
// disruption controller).
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
	if dry, _ := dryRun(r); dry {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	if _, err := h.deleteObject(r.Context(), info.Namespace, info.Name, opts); err != nil {
		writeError(w, r, err)
		return
	}
	writeStatusSuccess(w, r, http.StatusCreated)
}

// setPodCondition replaces or adds a condition, keeping the transition time
// when the status did not change.
func setPodCondition(pod *corev1.Pod, c corev1.PodCondition) {
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == c.Type {
			if pod.Status.Conditions[i].Status == c.Status {
				c.LastTransitionTime = pod.Status.Conditions[i].LastTransitionTime
			}
			pod.Status.Conditions[i] = c
			return
		}
	}
	pod.Status.Conditions = append(pod.Status.Conditions, c)
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
