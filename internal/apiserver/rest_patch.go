package apiserver

import (
	"bytes"
	"mime"
	"net/http"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"sigs.k8s.io/yaml"
)

const applyPatchType = "application/apply-patch+yaml"

// patch serves PATCH with the four patch types kubectl and client-go send:
// JSON patch, merge patch, strategic merge patch and server-side apply.
func (h *resourceHandler) patch(w http.ResponseWriter, r *http.Request, info *RequestInfo) {
	opts, body, err := readWrite(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	patchType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	ns := h.namespaceOf(info)
	var out runtime.Object
	var warnings []string
	switch types.PatchType(patchType) {
	case types.JSONPatchType, types.MergePatchType, types.StrategicMergePatchType:
		out, err = h.updateObject(r.Context(), ns, info.Name, info.Subresource, opts, func(current runtime.Object) (runtime.Object, error) {
			obj, warns, err := h.applyPatch(types.PatchType(patchType), current, body, opts.validation)
			warnings = warns
			return obj, err
		})
	case applyPatchType:
		out, err = h.serverSideApply(r, ns, info, body, opts)
	default:
		err = unsupportedMediaType(patchType)
	}
	if err != nil {
		writeError(w, r, err)
		return
	}
	warn(w, warnings)
	h.writeObject(w, r, http.StatusOK, out)
}

// applyPatch returns current with a JSON, merge or strategic merge patch
// applied, decoded back into the kind's type with field validation.
func (h *resourceHandler) applyPatch(pt types.PatchType, current runtime.Object, patch []byte, validation string) (runtime.Object, []string, error) {
	h.setGVK(current)
	var buf bytes.Buffer
	if err := jsonInfo().Serializer.Encode(current, &buf); err != nil {
		return nil, nil, err
	}
	original := buf.Bytes()
	var patched []byte
	var err error
	switch pt {
	case types.JSONPatchType:
		var p jsonpatch.Patch
		p, err = jsonpatch.DecodePatch(patch)
		if err == nil {
			patched, err = p.Apply(original)
		}
	case types.MergePatchType:
		patched, err = jsonpatch.MergePatch(original, patch)
	case types.StrategicMergePatchType:
		patched, err = strategicpatch.StrategicMergePatch(original, patch, h.res.New())
	}
	if err != nil {
		return nil, nil, apierrors.NewBadRequest(err.Error())
	}
	obj := h.res.New()
	warnings, err := decodeWith(jsonInfo(), patched, h.res.GroupVersionKind(), obj, validation)
	if err != nil {
		return nil, nil, err
	}
	return obj, warnings, nil
}

// serverSideApply merges an applied configuration with field ownership:
// conflicts with other managers are a 409 unless force=true; an absent
// object is created.
func (h *resourceHandler) serverSideApply(r *http.Request, ns string, info *RequestInfo, body []byte, opts writeOptions) (runtime.Object, error) {
	if r.URL.Query().Get("fieldManager") == "" {
		return nil, badRequest("PATCH %s: fieldManager is required for apply requests", r.URL.Path)
	}
	fm := h.fieldManager(info.Subresource)
	if fm == nil {
		return nil, apierrors.NewMethodNotSupported(h.groupResource(), "apply")
	}
	jsonBody, err := yaml.YAMLToJSON(body)
	if err != nil {
		return nil, badRequest("error decoding YAML: %v", err)
	}
	applied := &unstructured.Unstructured{}
	if err := applied.UnmarshalJSON(jsonBody); err != nil {
		return nil, badRequest("%v", err)
	}
	if gvk := applied.GroupVersionKind(); gvk != h.res.GroupVersionKind() {
		return nil, badRequest("the API version and kind in the data (%s, Kind=%s) do not match the expected %s",
			gvk.GroupVersion(), gvk.Kind, h.res.GroupVersionKind())
	}
	if applied.GetName() != info.Name {
		return nil, badRequest("the name of the object (%s) does not match the name on the URL (%s)", applied.GetName(), info.Name)
	}
	force := r.URL.Query().Get("force") == "true"
	opts.skipTracking = true
	ctx := r.Context()

	if err := h.store.Get(ctx, h.key(ns, info.Name), h.res.New()); apierrors.IsNotFound(err) && info.Subresource == "" {
		live := h.res.New()
		m, _ := meta.Accessor(live)
		m.SetName(info.Name)
		m.SetNamespace(ns)
		obj, err := fm.Apply(live, applied, opts.manager, force)
		if err != nil {
			return nil, err
		}
		return h.createObject(ctx, ns, obj, opts)
	}
	return h.updateObject(ctx, ns, info.Name, info.Subresource, opts, func(current runtime.Object) (runtime.Object, error) {
		return fm.Apply(current, applied, opts.manager, force)
	})
}
