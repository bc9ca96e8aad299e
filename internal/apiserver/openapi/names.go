package openapi

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// namedModel is implemented by every k8s.io/api and apimachinery type the
// generator covers (zz_generated.model_name.go in those packages): the
// method returns the definition name upstream uses, e.g.
// "io.k8s.api.core.v1.Pod", which is also the key in GetOpenAPIDefinitions.
type namedModel interface {
	OpenAPIModelName() string
}

// modelName returns the definition name of a Go API object.
func modelName(obj any) (string, error) {
	if obj == nil {
		return "", fmt.Errorf("no object to name")
	}
	if n, ok := obj.(namedModel); ok {
		return n.OpenAPIModelName(), nil
	}
	return "", fmt.Errorf("%T has no OpenAPIModelName method: it is not a k8s.io/api type, so it has no generated OpenAPI definition", obj)
}

// kindModel returns the definition name of the Go type the scheme has for
// gvk (for kinds that only appear as subresource bodies: Scale, Eviction...).
func kindModel(scheme *runtime.Scheme, gvk schema.GroupVersionKind) (string, error) {
	obj, err := scheme.New(gvk)
	if err != nil {
		return "", fmt.Errorf("kind %s: %w", gvk, err)
	}
	return modelName(obj)
}

// kindIndex maps definition names to the kinds they are served as: the
// value of their x-kubernetes-group-version-kind extension, which kubectl
// explain and the server-side apply type converter look kinds up by.
type kindIndex map[string][]schema.GroupVersionKind

// add records that definition name is served as gvk, once.
func (k kindIndex) add(name string, gvk schema.GroupVersionKind) {
	for _, have := range k[name] {
		if have == gvk {
			return
		}
	}
	k[name] = append(k[name], gvk)
}

// addScheme records every kind the scheme registers in the given
// group-versions, as upstream does for its whole scheme: that is how
// DeleteOptions or WatchEvent end up listed under each served group. Only
// served group-versions are included, so the documents never claim a kind
// the server does not answer for.
func (k kindIndex) addScheme(scheme *runtime.Scheme, gvs []schema.GroupVersion) {
	for _, gv := range gvs {
		for kind, t := range scheme.KnownTypes(gv) {
			name, err := modelName(reflect.New(t).Interface())
			if err != nil {
				continue // not an OpenAPI model (e.g. internal helper types)
			}
			k.add(name, gv.WithKind(kind))
		}
	}
}

// extension renders the kinds of a definition as the extension value. The
// value must be []interface{} of map[string]interface{}: that is the shape
// managedfields' type converter (and anything decoding JSON) recognises.
func (k kindIndex) extension(name string) []interface{} {
	gvks := append([]schema.GroupVersionKind(nil), k[name]...)
	if len(gvks) == 0 {
		return nil
	}
	sort.Slice(gvks, func(i, j int) bool {
		a, b := gvks[i], gvks[j]
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		if a.Version != b.Version {
			return a.Version < b.Version
		}
		return a.Kind < b.Kind
	})
	out := make([]interface{}, len(gvks))
	for i, gvk := range gvks {
		out[i] = gvkObject(gvk)
	}
	return out
}

// gvkObject is the JSON object form of a kind, as operations carry it.
func gvkObject(gvk schema.GroupVersionKind) map[string]interface{} {
	return map[string]interface{}{"group": gvk.Group, "version": gvk.Version, "kind": gvk.Kind}
}

// groupCamel turns an API group into the word upstream operation IDs use:
// "" -> "Core", "apps" -> "Apps", "rbac.authorization.k8s.io" ->
// "RbacAuthorization". Clients generated from the document name their
// methods after these IDs, so they follow upstream's convention.
func groupCamel(group string) string {
	if group == "" {
		return "Core"
	}
	group = strings.TrimSuffix(group, ".k8s.io")
	var b strings.Builder
	for _, part := range strings.FieldsFunc(group, func(r rune) bool { return r == '.' || r == '-' }) {
		b.WriteString(upperFirst(part))
	}
	return b.String()
}

// groupTag is the operation tag of a group-version, e.g. "core_v1",
// "rbacAuthorization_v1".
func groupTag(gv schema.GroupVersion) string {
	return lowerFirst(groupCamel(gv.Group)) + "_" + gv.Version
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
