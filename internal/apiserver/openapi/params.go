package openapi

import (
	"fmt"
	"sort"

	"k8s.io/kube-openapi/pkg/common"
)

// param is one non-body parameter, before it is rendered as v2 or v3.
type param struct {
	name     string
	in       string // "path" or "query"
	doc      string
	typ      string // string, integer or boolean
	format   string
	required bool
}

// prettyParam is the one query parameter no options struct declares.
var prettyParam = param{
	name: "pretty", in: "query", typ: "string",
	doc: "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).",
}

// pathParams renders a route's path-level parameters, by name as upstream
// orders them (name, namespace, path, pretty).
func pathParams(rt route) []param {
	var out []param
	for _, p := range rt.pathParams {
		out = append(out, param{name: p.name, in: "path", doc: p.doc, typ: "string", required: true})
	}
	if rt.pretty {
		out = append(out, prettyParam)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// queryParams expands a route's options structs into query parameters,
// sorted by name: every scalar (or list-of-scalars, repeated in the query)
// field of the struct, described by its generated definition. Object fields
// (DeleteOptions.preconditions) travel only in the body, as upstream.
func queryParams(defs map[string]common.OpenAPIDefinition, opts []options) ([]param, error) {
	seen := map[string]bool{}
	var out []param
	for _, o := range opts {
		def, ok := defs[o.model]
		if !ok {
			return nil, fmt.Errorf("no OpenAPI definition for options type %s", o.model)
		}
		skip := map[string]bool{"kind": true, "apiVersion": true}
		for _, s := range o.skip {
			skip[s] = true
		}
		for name, prop := range def.Schema.Properties {
			if skip[name] || seen[name] {
				continue
			}
			s := prop
			if len(s.Type) == 1 && s.Type[0] == "array" && s.Items != nil && s.Items.Schema != nil {
				s = *s.Items.Schema
			}
			if s.Ref.String() != "" || len(s.Type) != 1 {
				continue
			}
			typ := s.Type[0]
			if typ != "string" && typ != "integer" && typ != "boolean" {
				continue
			}
			seen[name] = true
			out = append(out, param{name: name, in: "query", doc: prop.Description, typ: typ, format: s.Format})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}
