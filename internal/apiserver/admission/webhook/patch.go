package webhook

import (
	"fmt"
	"reflect"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "sigs.k8s.io/json"
)

// applyPatch applies a webhook's JSONPatch to obj in place and tells
// whether obj changed. In place, because the handler holds obj, not the
// Attributes: replacing a.Object would leave the handler storing the
// unpatched object. The patch is applied to the JSON the webhook was sent
// (apiVersion and kind included) and decoded into a fresh object, so
// fields the patch removes are gone rather than merged over.
func applyPatch(obj runtime.Object, gvk schema.GroupVersionKind, patch []byte) (bool, error) {
	ops, err := jsonpatch.DecodePatch(patch)
	if err != nil {
		return false, err
	}
	if len(ops) == 0 {
		return false, nil
	}
	doc, err := encode(obj, gvk)
	if err != nil {
		return false, err
	}
	patched, err := ops.Apply(doc.Raw)
	if err != nil {
		return false, err
	}
	out := reflect.New(reflect.TypeOf(obj).Elem()).Interface().(runtime.Object)
	// Case-sensitive, as the API server's own decoder: "Metadata" is not
	// "metadata".
	if err := kjson.UnmarshalCaseSensitivePreserveInts(patched, out); err != nil {
		return false, fmt.Errorf("decoding the patched object: %w", err)
	}
	if got := out.GetObjectKind().GroupVersionKind(); got != gvk {
		return false, fmt.Errorf("the patch changed the object's kind from %s to %s", gvk, got)
	}
	// Keep the type information the handler had (often none).
	out.GetObjectKind().SetGroupVersionKind(obj.GetObjectKind().GroupVersionKind())
	if apiequality.Semantic.DeepEqual(obj, out) {
		return false, nil
	}
	reflect.ValueOf(obj).Elem().Set(reflect.ValueOf(out).Elem())
	return true, nil
}
