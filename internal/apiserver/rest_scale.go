package apiserver

import (
	"bytes"
	"mime"
	"net/http"
	"reflect"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var scaleGVK = autoscalingv1.SchemeGroupVersion.WithKind("Scale")

// serveScale serves the /scale subresource of every kind with
// spec.replicas (deployments, replicasets, statefulsets,
// replicationcontrollers) as an autoscaling/v1 Scale, found by reflection
// so no kind needs its own code.
func (h *resourceHandler) serveScale(w http.ResponseWriter, r *http.Request, info *RequestInfo) {
	ns := h.namespaceOf(info)
	switch info.Verb {
	case "get":
		obj := h.res.New()
		if err := h.store.Get(r.Context(), h.key(ns, info.Name), obj); err != nil {
			writeError(w, r, err)
			return
		}
		writeScale(w, r, http.StatusOK, scaleOf(obj))
	case "update", "patch":
		opts, body, err := readWrite(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		// A PUT's Scale is decoded before anything is read, so a malformed
		// body is a 400 whether or not the object exists.
		var put *autoscalingv1.Scale
		if info.Verb == "update" {
			put = &autoscalingv1.Scale{}
			if _, err := decodeObject(r, body, scaleGVK, put, "Ignore"); err != nil {
				writeError(w, r, err)
				return
			}
		}
		var replicas int32
		out, err := h.updateObject(r.Context(), ns, info.Name, "", opts, func(current runtime.Object) (runtime.Object, error) {
			scale := put.DeepCopy()
			if put == nil {
				var err error
				if scale, err = h.patchedScale(r, scaleOf(current), body); err != nil {
					return nil, err
				}
			}
			if scale.Spec.Replicas < 0 {
				return nil, apierrors.NewInvalid(scaleGVK.GroupKind(), info.Name, field.ErrorList{
					field.Invalid(field.NewPath("spec", "replicas"), scale.Spec.Replicas, "must be greater than or equal to 0")})
			}
			m, _ := meta.Accessor(current)
			m.SetResourceVersion(scale.ResourceVersion)
			replicas = scale.Spec.Replicas
			setReplicas(current, replicas)
			return current, nil
		})
		if err != nil {
			writeError(w, r, err)
			return
		}
		writeScale(w, r, http.StatusOK, scaleOf(out))
	default:
		writeError(w, r, apierrors.NewMethodNotSupported(h.groupResource(), info.Verb))
	}
}

// patchedScale is the current Scale with the request's patch applied,
// with the same error codes as any patch (see patch_apply.go).
func (h *resourceHandler) patchedScale(r *http.Request, current *autoscalingv1.Scale, body []byte) (*autoscalingv1.Scale, error) {
	var buf bytes.Buffer
	if err := jsonInfo().Serializer.Encode(current, &buf); err != nil {
		return nil, err
	}
	pt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	patched, _, err := patchJSON(types.PatchType(pt), buf.Bytes(), body, "Ignore", &autoscalingv1.Scale{})
	if err != nil {
		return nil, err
	}
	scale := &autoscalingv1.Scale{}
	if _, _, err := jsonInfo().Serializer.Decode(patched, &scaleGVK, scale); err != nil && !runtime.IsStrictDecodingError(err) {
		return nil, apierrors.NewInvalid(scaleGVK.GroupKind(), current.Name, field.ErrorList{
			field.Invalid(field.NewPath("patch"), string(body), err.Error())})
	}
	return scale, nil
}

func writeScale(w http.ResponseWriter, r *http.Request, code int, scale *autoscalingv1.Scale) {
	format, ok := negotiateOutput(r)
	if !ok {
		writeError(w, r, notAcceptable())
		return
	}
	writeObjectWithFormat(w, code, format, scale)
}

// scaleOf reads spec.replicas, status.replicas and the selector of obj.
func scaleOf(obj runtime.Object) *autoscalingv1.Scale {
	m, _ := meta.Accessor(obj)
	scale := &autoscalingv1.Scale{ObjectMeta: metav1.ObjectMeta{
		Name: m.GetName(), Namespace: m.GetNamespace(), UID: m.GetUID(),
		ResourceVersion: m.GetResourceVersion(), CreationTimestamp: m.GetCreationTimestamp(),
	}}
	scale.SetGroupVersionKind(scaleGVK)
	v := reflect.ValueOf(obj).Elem()
	spec, status := v.FieldByName("Spec"), v.FieldByName("Status")
	scale.Spec.Replicas = 1
	if rep := spec.FieldByName("Replicas"); rep.IsValid() && !rep.IsNil() {
		scale.Spec.Replicas = int32(rep.Elem().Int())
	}
	if rep := status.FieldByName("Replicas"); rep.IsValid() {
		scale.Status.Replicas = int32(rep.Int())
	}
	switch sel := spec.FieldByName("Selector").Interface().(type) {
	case *metav1.LabelSelector:
		if s, err := metav1.LabelSelectorAsSelector(sel); err == nil {
			scale.Status.Selector = s.String()
		}
	case map[string]string:
		scale.Status.Selector = labels.SelectorFromSet(sel).String()
	}
	return scale
}

// setReplicas writes spec.replicas of obj.
func setReplicas(obj runtime.Object, replicas int32) {
	rep := reflect.ValueOf(obj).Elem().FieldByName("Spec").FieldByName("Replicas")
	rep.Set(reflect.ValueOf(&replicas))
}
