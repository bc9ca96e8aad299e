package apiserver

import (
	"bytes"
	"mime"
	"net/http"
	"reflect"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
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
		var replicas int32
		out, err := h.updateObject(r.Context(), ns, info.Name, "", opts, func(current runtime.Object) (runtime.Object, error) {
			scale, err := h.requestedScale(r, info.Verb, scaleOf(current), body)
			if err != nil {
				return nil, err
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

// requestedScale is the Scale the client asks for: the PUT body, or the
// current Scale with the patch applied.
func (h *resourceHandler) requestedScale(r *http.Request, verb string, current *autoscalingv1.Scale, body []byte) (*autoscalingv1.Scale, error) {
	scale := &autoscalingv1.Scale{}
	if verb == "update" {
		_, err := decodeObject(r, body, scaleGVK, scale, "Ignore")
		return scale, err
	}
	var buf bytes.Buffer
	if err := jsonInfo().Serializer.Encode(current, &buf); err != nil {
		return nil, err
	}
	pt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var patched []byte
	var err error
	switch types.PatchType(pt) {
	case types.JSONPatchType:
		var p jsonpatch.Patch
		if p, err = jsonpatch.DecodePatch(body); err == nil {
			patched, err = p.Apply(buf.Bytes())
		}
	case types.MergePatchType:
		patched, err = jsonpatch.MergePatch(buf.Bytes(), body)
	case types.StrategicMergePatchType:
		patched, err = strategicpatch.StrategicMergePatch(buf.Bytes(), body, scale)
	default:
		return nil, unsupportedMediaType(pt)
	}
	if err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	_, err = decodeWith(jsonInfo(), patched, scaleGVK, scale, "Ignore")
	return scale, err
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
