package apiserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/mergepatch"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/apimachinery/pkg/util/validation/field"
	kjson "sigs.k8s.io/json"
)

// maxJSONPatchOperations bounds a JSON patch, as upstream.
const maxJSONPatchOperations = 10000

// Patch errors carry upstream's codes, which clients and kubectl's messages
// rely on: a patch that does not parse is 400 Bad Request; one that parses
// but cannot be applied (a failed "test", a missing path) or that yields an
// object of the wrong shape (a string where a number belongs; unknown or
// duplicate fields with fieldValidation=Strict) is 422 Invalid, naming
// "patch".

// applyPatch returns current with a JSON, merge or strategic merge patch
// applied, decoded back into the kind's type. With Warn, unknown and
// duplicate fields come back as warnings.
func (h *resourceHandler) applyPatch(pt types.PatchType, current runtime.Object, patch []byte, validation string) (runtime.Object, []string, error) {
	h.setGVK(current)
	var buf bytes.Buffer
	if err := jsonInfo().Serializer.Encode(current, &buf); err != nil {
		return nil, nil, err
	}
	patched, strictErrs, err := patchJSON(pt, buf.Bytes(), patch, validation, h.res.New())
	if err != nil {
		return nil, nil, err
	}

	obj := h.res.New()
	gvk := h.res.GroupVersionKind()
	_, got, err := jsonInfo().StrictSerializer.Decode(patched, &gvk, obj)
	if err != nil {
		strictErr, ok := runtime.AsStrictDecodingError(err)
		if !ok {
			return nil, nil, h.invalidPatch(patch, err)
		}
		strictErrs = append(strictErrs, strictErr.Errors()...)
	}
	if err := kindMismatch(got, gvk); err != nil {
		return nil, nil, err
	}
	if validation == "Ignore" || len(strictErrs) == 0 {
		return obj, nil, nil
	}
	if validation == "Strict" {
		return nil, nil, h.invalidPatch(patch, runtime.NewStrictDecodingError(strictErrs))
	}
	warnings := make([]string, 0, len(strictErrs))
	for _, e := range strictErrs {
		warnings = append(warnings, e.Error())
	}
	return obj, warnings, nil
}

// invalidPatch is upstream's 422 for a patch that yields a wrong object.
func (h *resourceHandler) invalidPatch(patch []byte, err error) error {
	return apierrors.NewInvalid(h.res.GroupVersionKind().GroupKind(), "", field.ErrorList{
		field.Invalid(field.NewPath("patch"), string(patch), err.Error()),
	})
}

// patchJSON applies patch to the JSON document original. With Strict or
// Warn it also returns the patch's own duplicate fields (which the patched
// document no longer shows). schema is an object of the kind, for the
// strategic merge patch's list rules.
func patchJSON(pt types.PatchType, original, patch []byte, validation string, schema runtime.Object) ([]byte, []error, error) {
	checkPatch := validation == "Strict" || validation == "Warn"
	switch pt {
	case types.JSONPatchType:
		var strictErrs []error
		if checkPatch {
			var ops []struct {
				Op    string      `json:"op"`
				Path  string      `json:"path"`
				From  string      `json:"from"`
				Value interface{} `json:"value"`
			}
			errs, err := kjson.UnmarshalStrict(patch, &ops)
			if err != nil {
				return nil, nil, badRequest("error decoding patch: %v", err)
			}
			for _, e := range errs {
				strictErrs = append(strictErrs, fmt.Errorf("json patch %v", e))
			}
		}
		ops, err := jsonpatch.DecodePatch(patch)
		if err != nil {
			return nil, nil, apierrors.NewBadRequest(err.Error())
		}
		if len(ops) > maxJSONPatchOperations {
			return nil, nil, apierrors.NewRequestEntityTooLargeError(
				fmt.Sprintf("The allowed maximum operations in a JSON patch is %d, got %d", maxJSONPatchOperations, len(ops)))
		}
		patched, err := ops.Apply(original)
		if err != nil {
			return nil, nil, unprocessable(err)
		}
		return patched, strictErrs, nil

	case types.MergePatchType:
		strictErrs, err := parsePatchMap(patch, checkPatch, &map[string]interface{}{})
		if err != nil {
			return nil, nil, err
		}
		patched, err := jsonpatch.MergePatch(original, patch)
		if err != nil {
			return nil, nil, apierrors.NewBadRequest(err.Error())
		}
		return patched, strictErrs, nil

	case types.StrategicMergePatchType:
		patchMap := map[string]interface{}{}
		strictErrs, err := parsePatchMap(patch, checkPatch, &patchMap)
		if err != nil {
			return nil, nil, err
		}
		originalMap := map[string]interface{}{}
		if err := json.Unmarshal(original, &originalMap); err != nil {
			return nil, nil, err
		}
		patchedMap, err := strategicMergeMapPatch(originalMap, patchMap, schema)
		if err != nil {
			return nil, nil, strategicPatchError(err)
		}
		patched, err := json.Marshal(patchedMap)
		return patched, strictErrs, err
	}
	return nil, nil, unsupportedMediaType(string(pt))
}

// strategicMergeMapPatch is strategicpatch.StrategicMergeMapPatch, which
// panics on some malformed patches (a list item's merge key given as a
// list: "containers":[{"name":["c"]}]); that is the client's mistake, so a
// 400 rather than a dropped connection.
func strategicMergeMapPatch(original, patch map[string]interface{}, schema runtime.Object) (out map[string]interface{}, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, badRequest("the patch could not be applied: %v", p)
		}
	}()
	return strategicpatch.StrategicMergeMapPatch(original, patch, schema)
}

// parsePatchMap parses a merge or strategic merge patch into into,
// collecting its duplicate fields when check is set. A patch that is not a
// JSON object is a 400.
func parsePatchMap(patch []byte, check bool, into *map[string]interface{}) ([]error, error) {
	if check {
		errs, err := kjson.UnmarshalStrict(patch, into)
		if err != nil {
			return nil, badRequest("error decoding patch: %v", err)
		}
		return errs, nil
	}
	if err := kjson.UnmarshalCaseSensitivePreserveInts(patch, into); err != nil {
		return nil, badRequest("error decoding patch: %v", err)
	}
	return nil, nil
}

// strategicPatchError gives a strategic merge patch failure upstream's
// code: a malformed directive is the client's syntax (400), a patch at odds
// with the object's list rules is 422.
func strategicPatchError(err error) error {
	switch {
	case errors.Is(err, mergepatch.ErrNoListOfLists), errors.Is(err, mergepatch.ErrPatchContentNotMatchRetainKeys):
		return unprocessable(err)
	default:
		return apierrors.NewBadRequest(err.Error())
	}
}

func unprocessable(err error) error {
	return apierrors.NewGenericServerResponse(http.StatusUnprocessableEntity, "", schema.GroupResource{}, "", err.Error(), 0, false)
}
