package openapi

import (
	"fmt"
	"sort"

	builder3util "k8s.io/kube-openapi/pkg/builder3/util"
	"k8s.io/kube-openapi/pkg/common"
	"k8s.io/kube-openapi/pkg/validation/spec"
)

// Where each document keeps its schemas; the generated code builds $refs
// through a callback, so one generated file serves both.
const (
	v2RefPrefix = "#/definitions/"
	v3RefPrefix = "#/components/schemas/"
)

const extensionGVK = "x-kubernetes-group-version-kind"

// loadDefinitions runs the generated code, with $refs pointing under prefix.
// It costs a few milliseconds and a couple of MB of garbage, so callers load
// it when they build something and drop it afterwards.
func loadDefinitions(prefix string) map[string]common.OpenAPIDefinition {
	return GetOpenAPIDefinitions(func(name string) spec.Ref {
		return spec.MustCreateRef(prefix + common.EscapeJsonPointer(name))
	})
}

// closure returns, sorted, the definitions reachable from roots through
// their dependencies: what one document must carry for its paths.
func closure(defs map[string]common.OpenAPIDefinition, roots []string) ([]string, error) {
	seen := map[string]bool{}
	var visit func(string) error
	visit = func(name string) error {
		if seen[name] {
			return nil
		}
		def, ok := defs[name]
		if !ok {
			return missingDefinition(name)
		}
		seen[name] = true
		for _, dep := range def.Dependencies {
			if err := visit(dep); err != nil {
				return err
			}
		}
		return nil
	}
	for _, root := range roots {
		if err := visit(root); err != nil {
			return nil, err
		}
	}
	names := make([]string, 0, len(seen))
	for name := range seen {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

func missingDefinition(name string) error {
	return fmt.Errorf("no OpenAPI definition for %s: add its package to internal/apiserver/openapi/generate.sh and run go generate ./internal/apiserver/openapi/", name)
}

// v2Schema is the swagger 2.0 form of a definition: a few types (Quantity,
// IntOrString) carry a separate v2 schema, since v2 has no oneOf.
func v2Schema(def common.OpenAPIDefinition, kinds kindIndex, name string) spec.Schema {
	s := def.Schema
	if v, ok := s.Extensions[common.ExtensionV2Schema]; ok {
		if v2, ok := v.(spec.Schema); ok {
			s = v2
		}
	}
	return withKinds(s, kinds, name)
}

// v3Schema is the OpenAPI 3.0 form: the embedded v2 variant dropped, and
// $refs that have siblings (a description, a default) wrapped in allOf, since
// v3 ignores a $ref's siblings.
func v3Schema(def common.OpenAPIDefinition, kinds kindIndex, name string) *spec.Schema {
	s := def.Schema
	if _, ok := s.Extensions[common.ExtensionV2Schema]; ok {
		ext := spec.Extensions{}
		for k, v := range s.Extensions {
			if k != common.ExtensionV2Schema {
				ext[k] = v
			}
		}
		s.Extensions = ext
	}
	s = withKinds(s, kinds, name)
	return builder3util.WrapRefs(&s)
}

// withKinds adds the x-kubernetes-group-version-kind extension of name.
// The extensions map is copied, never shared with the loaded definition.
func withKinds(s spec.Schema, kinds kindIndex, name string) spec.Schema {
	ext := kinds.extension(name)
	if ext == nil {
		return s
	}
	out := make(spec.Extensions, len(s.Extensions)+1)
	for k, v := range s.Extensions {
		out[k] = v
	}
	out[extensionGVK] = ext
	s.Extensions = out
	return s
}
