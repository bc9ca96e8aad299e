package openapi

import (
	"fmt"
	"net/http"
	"sort"

	"k8s.io/kube-openapi/pkg/common"
	"k8s.io/kube-openapi/pkg/spec3"
	"k8s.io/kube-openapi/pkg/validation/spec"
)

// splitByDocument groups routes into the OpenAPI v3 documents they belong
// to (see docKey), keeping their order.
func splitByDocument(routes []route) map[string][]route {
	out := map[string][]route{}
	for _, rt := range routes {
		key := docKey(rt.path)
		out[key] = append(out[key], rt)
	}
	return out
}

// buildV3 renders the routes of one group-version as an OpenAPI 3.0
// document with the schemas its operations reach. Parameters are inline,
// as upstream's: kubectl looks for fieldValidation among a PATCH
// operation's own parameters to decide the server validates fields.
//
// schemas caches the v3 form of definitions across the documents of one
// build: ObjectMeta and friends are in every document, and converting them
// once is most of the saving.
func buildV3(routes []route, defs map[string]common.OpenAPIDefinition, schemas map[string]*spec.Schema,
	kinds kindIndex, info *spec.Info) (*spec3.OpenAPI, error) {
	doc := &spec3.OpenAPI{
		Version: "3.0.0",
		Info:    info,
		Paths:   &spec3.Paths{Paths: map[string]*spec3.Path{}},
		Components: &spec3.Components{
			Schemas: map[string]*spec.Schema{},
			SecuritySchemes: spec3.SecuritySchemes{"BearerToken": &spec3.SecurityScheme{
				SecuritySchemeProps: spec3.SecuritySchemeProps{
					Type: "apiKey", Name: "authorization", In: "header",
					Description: "Bearer Token authentication",
				},
			}},
		},
		SecurityRequirement: []map[string][]string{{"BearerToken": {}}},
	}
	var roots []string
	for _, rt := range routes {
		item := doc.Paths.Paths[rt.path]
		if item == nil {
			item = &spec3.Path{}
			for _, p := range pathParams(rt) {
				item.Parameters = append(item.Parameters, v3Param(p))
			}
			doc.Paths.Paths[rt.path] = item
		}
		op, err := v3Operation(rt, defs)
		if err != nil {
			return nil, err
		}
		if err := setV3Operation(&item.PathProps, rt.method, op); err != nil {
			return nil, err
		}
		roots = append(roots, rt.models()...)
	}
	names, err := closure(defs, roots)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		sch, ok := schemas[name]
		if !ok {
			sch = v3Schema(defs[name], kinds, name)
			schemas[name] = sch
		}
		doc.Components.Schemas[common.EscapeJsonPointer(name)] = sch
	}
	return doc, nil
}

func v3Operation(rt route, defs map[string]common.OpenAPIDefinition) (*spec3.Operation, error) {
	op := &spec3.Operation{OperationProps: spec3.OperationProps{
		OperationId: rt.id,
		Description: rt.doc,
		Tags:        []string{rt.tag},
		Responses: &spec3.Responses{ResponsesProps: spec3.ResponsesProps{
			StatusCodeResponses: map[int]*spec3.Response{},
		}},
	}}
	if rt.action != "" {
		op.AddExtension("x-kubernetes-action", rt.action)
	}
	if rt.gvk != nil {
		op.AddExtension(extensionGVK, gvkObject(*rt.gvk))
	}
	if rt.body != "" {
		op.RequestBody = &spec3.RequestBody{RequestBodyProps: spec3.RequestBodyProps{
			Required: true, Content: mediaTypes(rt.consumes, refSchema(v3RefPrefix, rt.body)),
		}}
	}
	query, err := queryParams(defs, rt.query)
	if err != nil {
		return nil, err
	}
	for _, p := range query {
		op.Parameters = append(op.Parameters, v3Param(p))
	}
	for _, code := range rt.codes {
		resp := &spec3.Response{ResponseProps: spec3.ResponseProps{Description: http.StatusText(code)}}
		if s := resultSchema(v3RefPrefix, rt.result); s != nil {
			resp.Content = mediaTypes(rt.produces, s)
		}
		op.Responses.StatusCodeResponses[code] = resp
	}
	op.Responses.StatusCodeResponses[http.StatusUnauthorized] = &spec3.Response{
		ResponseProps: spec3.ResponseProps{Description: http.StatusText(http.StatusUnauthorized)},
	}
	return op, nil
}

// mediaTypes gives every media type the same schema.
func mediaTypes(types []string, s *spec.Schema) map[string]*spec3.MediaType {
	out := make(map[string]*spec3.MediaType, len(types))
	for _, t := range types {
		out[t] = &spec3.MediaType{MediaTypeProps: spec3.MediaTypeProps{Schema: s}}
	}
	return out
}

func v3Param(p param) *spec3.Parameter {
	return &spec3.Parameter{ParameterProps: spec3.ParameterProps{
		Name: p.name, In: p.in, Description: p.doc, Required: p.required,
		Schema: &spec.Schema{SchemaProps: spec.SchemaProps{
			Type: []string{p.typ}, Format: p.format, UniqueItems: true,
		}},
	}}
}

func setV3Operation(item *spec3.PathProps, method string, op *spec3.Operation) error {
	slot := map[string]**spec3.Operation{
		"get": &item.Get, "put": &item.Put, "post": &item.Post, "delete": &item.Delete,
		"options": &item.Options, "head": &item.Head, "patch": &item.Patch,
	}[method]
	if slot == nil {
		return fmt.Errorf("operation %s: unknown method %q", op.OperationId, method)
	}
	if *slot != nil {
		return fmt.Errorf("operations %s and %s share a path and method", (*slot).OperationId, op.OperationId)
	}
	*slot = op
	return nil
}

// v3Index is the body of GET /openapi/v3: each document's URL, carrying a
// hash of its content so clients can cache it for good.
type v3Index struct {
	Paths map[string]v3IndexEntry `json:"paths"`
}

type v3IndexEntry struct {
	ServerRelativeURL string `json:"serverRelativeURL"`
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
