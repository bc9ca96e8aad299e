package apiserver

import (
	"errors"
	"mime"
	"net/http"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"
)

const applyPatchType = "application/apply-patch+yaml"

// patch serves PATCH with the four patch types kubectl and client-go send:
// JSON patch, merge patch, strategic merge patch and server-side apply.
func (h *resourceHandler) patch(w http.ResponseWriter, r *http.Request, info *RequestInfo) {
	if info.Name == "" { // PATCH of a collection
		writeError(w, r, apierrors.NewMethodNotSupported(h.groupResource(), "patch"))
		return
	}
	opts, body, err := readWrite(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	patchType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	ns := h.namespaceOf(info)
	var out runtime.Object
	var warnings []string
	code := http.StatusOK
	switch types.PatchType(patchType) {
	case types.JSONPatchType, types.MergePatchType, types.StrategicMergePatchType:
		out, err = h.updateObject(r.Context(), ns, info.Name, info.Subresource, opts, func(current runtime.Object) (runtime.Object, error) {
			obj, warns, err := h.applyPatch(types.PatchType(patchType), current, body, opts.validation)
			warnings = warns
			return obj, err
		})
	case applyPatchType:
		var created bool
		out, created, warnings, err = h.serverSideApply(r, ns, info, body, opts)
		if created {
			code = http.StatusCreated // as upstream, when apply created the object
		}
	default:
		err = unsupportedMediaType(patchType)
	}
	if err != nil {
		writeError(w, r, err)
		return
	}
	warn(w, warnings)
	h.writeObject(w, r, code, out)
}

// serverSideApply merges an applied configuration with field ownership:
// conflicts with other managers are a 409 unless force=true; an absent
// object is created (created reports it). With fieldValidation Strict or
// Warn, duplicate fields in the configuration are an error or a warning;
// unknown fields always fail, since ownership cannot be tracked for a field
// the schema does not have.
func (h *resourceHandler) serverSideApply(r *http.Request, ns string, info *RequestInfo, body []byte, opts writeOptions) (out runtime.Object, created bool, warnings []string, err error) {
	if r.URL.Query().Get("fieldManager") == "" {
		return nil, false, nil, badRequest("PATCH %s: fieldManager is required for apply requests", r.URL.Path)
	}
	fm := h.fieldManager(info.Subresource)
	if fm == nil {
		return nil, false, nil, apierrors.NewMethodNotSupported(h.groupResource(), "apply")
	}
	jsonBody, err := yaml.YAMLToJSON(body)
	if err != nil {
		return nil, false, nil, badRequest("error decoding YAML: %v", err)
	}
	applied := &unstructured.Unstructured{}
	if err := applied.UnmarshalJSON(jsonBody); err != nil {
		return nil, false, nil, badRequest("%v", err)
	}
	if gvk := applied.GroupVersionKind(); gvk != h.res.GroupVersionKind() {
		return nil, false, nil, badRequest("the API version and kind in the data (%s, Kind=%s) do not match the expected %s",
			gvk.GroupVersion(), gvk.Kind, h.res.GroupVersionKind())
	}
	if applied.GetName() != info.Name {
		return nil, false, nil, badRequest("the name of the object (%s) does not match the name on the URL (%s)", applied.GetName(), info.Name)
	}
	if opts.validation == "Strict" || opts.validation == "Warn" {
		if err := yaml.UnmarshalStrict(body, &map[string]interface{}{}); err != nil {
			if opts.validation == "Strict" {
				return nil, false, nil, badRequest("error strict decoding YAML: %v", err)
			}
			// One line: YAML errors span several, and a header value with
			// a newline is dropped on the way (HTTP/2 refuses it).
			warnings = append(warnings, strings.Join(strings.Fields(err.Error()), " "))
		}
	}
	force := r.URL.Query().Get("force") == "true"
	opts.skipTracking = true
	ctx := r.Context()
	apply := func(live runtime.Object) (runtime.Object, error) {
		obj, err := fm.Apply(live, applied, opts.manager, force)
		if err != nil && !isAPIError(err) {
			// The configuration does not fit the kind's schema (a field it
			// does not have, a wrong type): the client's mistake, so 400
			// where upstream answers 500.
			return nil, apierrors.NewBadRequest(err.Error())
		}
		return obj, err
	}

	if err := h.store.Get(ctx, h.key(ns, info.Name), h.res.New()); apierrors.IsNotFound(err) && info.Subresource == "" {
		live := h.res.New()
		m, _ := meta.Accessor(live)
		m.SetName(info.Name)
		m.SetNamespace(ns)
		obj, err := apply(live)
		if err != nil {
			return nil, false, nil, err
		}
		out, err := h.createObject(ctx, ns, obj, opts)
		return out, err == nil, warnings, err
	}
	out, err = h.updateObject(ctx, ns, info.Name, info.Subresource, opts, apply)
	return out, false, warnings, err
}

// isAPIError tells whether err already carries an API status.
func isAPIError(err error) bool {
	var st apierrors.APIStatus
	return errors.As(err, &st)
}
