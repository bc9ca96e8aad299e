package openapi

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"

	"k8s.io/kube-openapi/pkg/common"
	"k8s.io/kube-openapi/pkg/validation/spec"
)

// buildV2 renders routes as one swagger 2.0 document, with the definitions
// its operations reach.
func buildV2(routes []route, defs map[string]common.OpenAPIDefinition, kinds kindIndex, info *spec.Info) (*spec.Swagger, error) {
	sw := &spec.Swagger{SwaggerProps: spec.SwaggerProps{
		Swagger:     "2.0",
		Info:        info,
		Paths:       &spec.Paths{Paths: map[string]spec.PathItem{}},
		Definitions: spec.Definitions{},
		Parameters:  map[string]spec.Parameter{},
		SecurityDefinitions: spec.SecurityDefinitions{"BearerToken": &spec.SecurityScheme{
			SecuritySchemeProps: spec.SecuritySchemeProps{
				Type: "apiKey", Name: "authorization", In: "header",
				Description: "Bearer Token authentication",
			},
		}},
		Security: []map[string][]string{{"BearerToken": {}}},
	}}
	shared := v2SharedParams(sw.Parameters)

	var roots []string
	started := map[string]bool{}
	for _, rt := range routes {
		item := sw.Paths.Paths[rt.path]
		if !started[rt.path] {
			started[rt.path] = true
			for _, p := range pathParams(rt) {
				item.Parameters = append(item.Parameters, shared.ref(p))
			}
		}
		op, err := v2Operation(rt, defs, shared)
		if err != nil {
			return nil, err
		}
		if err := setV2Operation(&item.PathItemProps, rt.method, op); err != nil {
			return nil, err
		}
		sw.Paths.Paths[rt.path] = item
		roots = append(roots, rt.models()...)
	}

	names, err := closure(defs, roots)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		sw.Definitions[common.EscapeJsonPointer(name)] = v2Schema(defs[name], kinds, name)
	}
	return sw, nil
}

// models are the definitions a route refers to directly.
func (rt route) models() []string {
	var out []string
	if rt.body != "" {
		out = append(out, rt.body)
	}
	if rt.result != "" && rt.result != resultString {
		out = append(out, rt.result)
	}
	return out
}

func v2Operation(rt route, defs map[string]common.OpenAPIDefinition, shared v2SharedParams) (*spec.Operation, error) {
	op := &spec.Operation{OperationProps: spec.OperationProps{
		ID:          rt.id,
		Description: rt.doc,
		Tags:        []string{rt.tag},
		Consumes:    rt.consumes,
		Produces:    rt.produces,
		Schemes:     []string{"https"},
		Responses:   &spec.Responses{ResponsesProps: spec.ResponsesProps{StatusCodeResponses: map[int]spec.Response{}}},
	}}
	if rt.action != "" {
		op.AddExtension("x-kubernetes-action", rt.action)
	}
	if rt.gvk != nil {
		op.AddExtension(extensionGVK, gvkObject(*rt.gvk))
	}
	if rt.body != "" {
		op.Parameters = append(op.Parameters, spec.Parameter{ParamProps: spec.ParamProps{
			Name: "body", In: "body", Required: true, Schema: refSchema(v2RefPrefix, rt.body),
		}})
	}
	query, err := queryParams(defs, rt.query)
	if err != nil {
		return nil, err
	}
	for _, p := range query {
		op.Parameters = append(op.Parameters, shared.ref(p))
	}
	for _, code := range rt.codes {
		op.Responses.StatusCodeResponses[code] = spec.Response{ResponseProps: spec.ResponseProps{
			Description: http.StatusText(code), Schema: resultSchema(v2RefPrefix, rt.result),
		}}
	}
	op.Responses.StatusCodeResponses[http.StatusUnauthorized] = spec.Response{
		ResponseProps: spec.ResponseProps{Description: http.StatusText(http.StatusUnauthorized)},
	}
	return op, nil
}

func setV2Operation(item *spec.PathItemProps, method string, op *spec.Operation) error {
	slot := map[string]**spec.Operation{
		"get": &item.Get, "put": &item.Put, "post": &item.Post, "delete": &item.Delete,
		"options": &item.Options, "head": &item.Head, "patch": &item.Patch,
	}[method]
	if slot == nil {
		return fmt.Errorf("operation %s: unknown method %q", op.ID, method)
	}
	if *slot != nil {
		return fmt.Errorf("operations %s and %s share a path and method", (*slot).ID, op.ID)
	}
	*slot = op
	return nil
}

// refSchema points at a definition.
func refSchema(prefix, name string) *spec.Schema {
	return &spec.Schema{SchemaProps: spec.SchemaProps{Ref: spec.MustCreateRef(prefix + common.EscapeJsonPointer(name))}}
}

// resultSchema is the schema of a success body: a definition, plain text,
// or none.
func resultSchema(prefix, result string) *spec.Schema {
	switch result {
	case "":
		return nil
	case resultString:
		return &spec.Schema{SchemaProps: spec.SchemaProps{Type: []string{"string"}}}
	}
	return refSchema(prefix, result)
}

// v2SharedParams keeps each distinct parameter once under #/parameters/, as
// upstream does: the same dozen parameters recur on hundreds of operations,
// and sharing them keeps the document a fraction of its inline size.
type v2SharedParams map[string]spec.Parameter

func (s v2SharedParams) ref(p param) spec.Parameter {
	full := spec.Parameter{
		ParamProps:        spec.ParamProps{Name: p.name, In: p.in, Description: p.doc, Required: p.required},
		SimpleSchema:      spec.SimpleSchema{Type: p.typ, Format: p.format},
		CommonValidations: spec.CommonValidations{UniqueItems: true},
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%s\x00%t", p.name, p.in, p.doc, p.typ, p.format, p.required)))
	key := p.name + "-" + base64.RawURLEncoding.EncodeToString(sum[:6])
	s[key] = full
	return spec.Parameter{Refable: spec.Refable{Ref: spec.MustCreateRef("#/parameters/" + key)}}
}
