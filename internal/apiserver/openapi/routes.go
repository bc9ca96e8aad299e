package openapi

import (
	"fmt"
	"sort"
	"strings"

	authenticationv1 "k8s.io/api/authentication/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/version"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// route is one operation on one path, in the neutral form both the v2 and
// the v3 renderers turn into their own types. It plays the part of
// upstream's go-restful route table, which hanok does not have.
type route struct {
	path   string // e.g. /api/v1/namespaces/{namespace}/pods/{name}
	method string // lower-case HTTP method: get, put, post, patch, delete, head, options
	id     string // operationId, upstream's naming: readCoreV1NamespacedPod
	action string // x-kubernetes-action: get, list, watch, post, put, patch, delete, ...
	doc    string // description
	tag    string

	gvk *schema.GroupVersionKind // x-kubernetes-group-version-kind; nil for discovery

	// Parameters. pathParams and pretty are the same for every route of a
	// path, so they are rendered once at path level; query differs per verb.
	pathParams []pathParam
	pretty     bool
	query      []options

	body     string // definition name of the request body; "" for none
	consumes []string
	produces []string
	codes    []int  // success status codes
	result   string // definition name of the success body; resultString for text
}

// resultString marks a route answering plain text (logs, exec).
const resultString = "string"

type pathParam struct{ name, doc string }

// options names a Go options struct (ListOptions, PatchOptions, ...) whose
// scalar fields are an operation's query parameters, documented by the
// generated definition: the parameters say exactly what the types say.
type options struct {
	model string
	skip  []string
}

// Definition names of the apimachinery types routes refer to.
var (
	modelListOptions   = metav1.ListOptions{}.OpenAPIModelName()
	modelCreateOptions = metav1.CreateOptions{}.OpenAPIModelName()
	modelUpdateOptions = metav1.UpdateOptions{}.OpenAPIModelName()
	modelPatchOptions  = metav1.PatchOptions{}.OpenAPIModelName()
	modelDeleteOptions = metav1.DeleteOptions{}.OpenAPIModelName()
	modelStatus        = metav1.Status{}.OpenAPIModelName()
	modelPatch         = metav1.Patch{}.OpenAPIModelName()
	modelWatchEvent    = metav1.WatchEvent{}.OpenAPIModelName()
	modelAPIVersions   = metav1.APIVersions{}.OpenAPIModelName()
	modelAPIGroupList  = metav1.APIGroupList{}.OpenAPIModelName()
	modelAPIGroup      = metav1.APIGroup{}.OpenAPIModelName()
	modelResourceList  = metav1.APIResourceList{}.OpenAPIModelName()
	modelVersionInfo   = version.Info{}.OpenAPIModelName()
)

// Media types, as the API server negotiates them.
var (
	objectMedia = []string{"application/json", "application/yaml", "application/vnd.kubernetes.protobuf"}
	watchMedia  = append(append([]string(nil), objectMedia...),
		"application/json;stream=watch", "application/vnd.kubernetes.protobuf;stream=watch")
	patchMedia = []string{
		"application/json-patch+json",
		"application/merge-patch+json",
		"application/strategic-merge-patch+json",
		"application/apply-patch+yaml",
	}
	anyMedia  = []string{"*/*"}
	textMedia = append([]string{"text/plain"}, objectMedia...)
)

var (
	namespaceParam = pathParam{"namespace", "object name and auth scope, such as for teams and projects"}
	proxyPathParam = pathParam{"path", "path to the resource"}
)

func nameParam(kind string) pathParam { return pathParam{"name", "name of the " + kind} }

// subresource says how a subresource name is served. registry.Resource
// lists subresources by name only; this table is what the names mean.
type subresource struct {
	verbs []string // of get, put, patch, post
	// kind of the body, when it is not the parent's (Scale, Eviction...).
	kind *schema.GroupVersionKind
	// connect lists HTTP methods of a streaming subresource (exec, proxy);
	// its query parameters come from the options kind <Parent><optionsSuffix>.
	connect       []string
	optionsSuffix string
	withPath      bool // proxy: also /proxy/{path}
	log           bool // GET answering plain text
}

func gvkPtr(gvk schema.GroupVersionKind) *schema.GroupVersionKind { return &gvk }

var subresources = map[string]subresource{
	"status":              {verbs: []string{"get", "put", "patch"}},
	"ephemeralcontainers": {verbs: []string{"get", "put", "patch"}},
	"resize":              {verbs: []string{"get", "put", "patch"}},
	"approval":            {verbs: []string{"get", "put", "patch"}},
	"finalize":            {verbs: []string{"put"}},
	"scale":               {verbs: []string{"get", "put", "patch"}, kind: gvkPtr(autoscalingv1.SchemeGroupVersion.WithKind("Scale"))},
	"binding":             {verbs: []string{"post"}, kind: gvkPtr(corev1.SchemeGroupVersion.WithKind("Binding"))},
	"eviction":            {verbs: []string{"post"}, kind: gvkPtr(policyv1.SchemeGroupVersion.WithKind("Eviction"))},
	"token":               {verbs: []string{"post"}, kind: gvkPtr(authenticationv1.SchemeGroupVersion.WithKind("TokenRequest"))},
	"log":                 {log: true, optionsSuffix: "LogOptions"},
	"exec":                {connect: []string{"get", "post"}, optionsSuffix: "ExecOptions"},
	"attach":              {connect: []string{"get", "post"}, optionsSuffix: "AttachOptions"},
	"portforward":         {connect: []string{"get", "post"}, optionsSuffix: "PortForwardOptions"},
	"proxy": {
		connect:       []string{"delete", "get", "head", "options", "patch", "post", "put"},
		optionsSuffix: "ProxyOptions",
		withPath:      true,
	},
}

// gvPrefix is the URL prefix of a group-version: /api/v1, /apis/apps/v1.
func gvPrefix(gv schema.GroupVersion) string {
	if gv.Group == "" {
		return "/api/" + gv.Version
	}
	return "/apis/" + gv.Group + "/" + gv.Version
}

// resourceRoutes lists every operation upstream serves for a resource:
// list/watch/create/deletecollection on the collection, get/replace/patch/
// delete on an item, the cluster-wide list of a namespaced kind, the
// deprecated /watch/ paths, and the resource's subresources. A resource
// without NewList is taken to be create-only (reviews, bindings), as it
// cannot be listed. Subresources not in the subresources table are left
// out rather than guessed.
func resourceRoutes(r *registry.Resource, scheme *runtime.Scheme) ([]route, error) {
	if r.New == nil {
		return nil, fmt.Errorf("resource %s: New is nil", r.GroupVersionResource())
	}
	obj, err := modelName(r.New())
	if err != nil {
		return nil, fmt.Errorf("resource %s: %w", r.GroupVersionResource(), err)
	}
	list := ""
	if r.NewList != nil {
		if list, err = modelName(r.NewList()); err != nil {
			return nil, fmt.Errorf("resource %s: %w", r.GroupVersionResource(), err)
		}
	}

	gv, kind := r.GroupVersion, r.Kind
	gvk := r.GroupVersionKind()
	prefix := gvPrefix(gv)
	ns, coll, watchColl := "", prefix+"/"+r.Plural, prefix+"/watch/"+r.Plural
	var scope []pathParam
	if r.Namespaced {
		ns = "Namespaced"
		coll = prefix + "/namespaces/{namespace}/" + r.Plural
		watchColl = prefix + "/watch/namespaces/{namespace}/" + r.Plural
		scope = []pathParam{namespaceParam}
	}
	item := coll + "/{name}"
	itemScope := append(append([]pathParam(nil), scope...), nameParam(kind))

	base := route{tag: groupTag(gv), gvk: &gvk, pretty: true, produces: objectMedia}
	at := func(path string, params []pathParam) route {
		rt := base
		rt.path, rt.pathParams = path, params
		return rt
	}
	id := func(verb string, parts ...string) string {
		return verb + groupCamel(gv.Group) + upperFirst(gv.Version) + strings.Join(parts, "")
	}
	listQuery := []options{{model: modelListOptions}}

	var out []route
	if list != "" {
		rt := at(coll, scope)
		rt.method, rt.action, rt.id = "get", "list", id("list", ns, kind)
		rt.doc = "list or watch objects of kind " + kind
		rt.query, rt.produces, rt.codes, rt.result = listQuery, watchMedia, []int{200}, list
		out = append(out, rt)

		rt = at(coll, scope)
		rt.method, rt.action, rt.id = "delete", "deletecollection", id("delete", "Collection", ns, kind)
		rt.doc = "delete collection of " + kind
		rt.query = []options{
			{model: modelListOptions, skip: []string{"watch", "allowWatchBookmarks"}},
			{model: modelDeleteOptions},
		}
		rt.body, rt.consumes, rt.codes, rt.result = modelDeleteOptions, anyMedia, []int{200}, modelStatus
		out = append(out, rt)

		if r.Namespaced {
			rt = at(prefix+"/"+r.Plural, nil)
			rt.method, rt.action, rt.id = "get", "list", id("list", kind, "ForAllNamespaces")
			rt.doc = "list or watch objects of kind " + kind
			rt.query, rt.produces, rt.codes, rt.result = listQuery, watchMedia, []int{200}, list
			out = append(out, rt)
		}
		out = append(out, watchRoutes(at, id, r, watchColl, scope, itemScope)...)
	}

	rt := at(coll, scope)
	rt.method, rt.action, rt.id = "post", "post", id("create", ns, kind)
	rt.doc = "create a " + kind
	rt.query = []options{{model: modelCreateOptions}}
	rt.body, rt.consumes, rt.codes, rt.result = obj, anyMedia, []int{200, 201, 202}, obj
	out = append(out, rt)

	if list != "" { // a create-only kind has no stored items to address
		out = append(out, itemRoutes(at(item, itemScope), id("", ns, kind), kind, obj, "", []string{"get", "put", "patch", "delete"})...)
	}

	for _, name := range r.Subresources {
		sub, ok := subresources[name]
		if !ok {
			continue
		}
		subRoutes, err := subresourceRoutes(at, id, r, scheme, item, itemScope, ns, obj, name, sub)
		if err != nil {
			return nil, err
		}
		out = append(out, subRoutes...)
	}
	return out, nil
}

// itemRoutes are the verbs on one object (or one subresource of it): read,
// replace, partially update, delete, create. idSuffix is the operationId
// without its verb; what names the subresource in descriptions ("" for the
// object itself).
func itemRoutes(base route, idSuffix, kind, model, what string, verbs []string) []route {
	of := ""
	if what != "" {
		of = what + " of "
	}
	var out []route
	for _, verb := range verbs {
		rt := base
		rt.method, rt.codes, rt.result = verb, []int{200}, model
		switch verb {
		case "get":
			rt.action, rt.id, rt.doc = "get", "read"+idSuffix, "read "+of+"the specified "+kind
		case "put":
			rt.action, rt.id, rt.doc = "put", "replace"+idSuffix, "replace "+of+"the specified "+kind
			rt.query = []options{{model: modelUpdateOptions}}
			rt.body, rt.consumes, rt.codes = model, anyMedia, []int{200, 201}
		case "patch":
			rt.action, rt.id, rt.doc = "patch", "patch"+idSuffix, "partially update "+of+"the specified "+kind
			rt.query = []options{{model: modelPatchOptions}}
			rt.body, rt.consumes, rt.codes = modelPatch, patchMedia, []int{200, 201}
		case "delete":
			rt.action, rt.id, rt.doc = "delete", "delete"+idSuffix, "delete a "+kind
			rt.query = []options{{model: modelDeleteOptions}}
			rt.body, rt.consumes, rt.codes, rt.result = modelDeleteOptions, anyMedia, []int{200, 202}, modelStatus
		case "post":
			rt.action, rt.id, rt.doc = "post", "create"+idSuffix, "create "+of+"a "+kind
			rt.query = []options{{model: modelCreateOptions}}
			rt.body, rt.consumes, rt.codes = model, anyMedia, []int{200, 201, 202}
		}
		out = append(out, rt)
	}
	return out
}

// watchRoutes are the deprecated /watch/ paths; clients use ?watch=true on
// the list instead, but upstream still documents them and so do we.
func watchRoutes(at func(string, []pathParam) route, id func(string, ...string) string,
	r *registry.Resource, watchColl string, scope, itemScope []pathParam) []route {
	kind, ns := r.Kind, ""
	if r.Namespaced {
		ns = "Namespaced"
	}
	mk := func(path string, params []pathParam, action, opID, doc string) route {
		rt := at(path, params)
		rt.method, rt.action, rt.id, rt.doc = "get", action, opID, doc
		rt.query = []options{{model: modelListOptions}}
		rt.produces, rt.codes, rt.result = watchMedia, []int{200}, modelWatchEvent
		return rt
	}
	listDoc := "watch individual changes to a list of " + kind + ". deprecated: use the 'watch' parameter with a list operation instead."
	out := []route{
		mk(watchColl, scope, "watchlist", id("watch", ns, kind, "List"), listDoc),
		mk(watchColl+"/{name}", itemScope, "watch", id("watch", ns, kind),
			"watch changes to an object of kind "+kind+". deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter."),
	}
	if r.Namespaced {
		out = append(out, mk(gvPrefix(r.GroupVersion)+"/watch/"+r.Plural, nil, "watchlist", id("watch", kind, "ListForAllNamespaces"), listDoc))
	}
	return out
}

// subresourceRoutes are the operations of one subresource of r.
func subresourceRoutes(at func(string, []pathParam) route, id func(string, ...string) string,
	r *registry.Resource, scheme *runtime.Scheme, item string, itemScope []pathParam,
	ns, obj, name string, sub subresource) ([]route, error) {
	path := item + "/" + name
	suffix := id("", ns, r.Kind, upperFirst(name))

	var optionsQuery []options
	var optionsGVK *schema.GroupVersionKind
	if sub.optionsSuffix != "" {
		gvk := r.GroupVersion.WithKind(r.Kind + sub.optionsSuffix)
		if model, err := kindModel(scheme, gvk); err == nil {
			optionsQuery, optionsGVK = []options{{model: model}}, &gvk
		}
	}

	switch {
	case sub.log:
		rt := at(path, itemScope)
		rt.method, rt.action, rt.id = "get", "get", "read"+suffix
		rt.doc = "read " + name + " of the specified " + r.Kind
		rt.query, rt.produces, rt.codes, rt.result = optionsQuery, textMedia, []int{200}, resultString
		return []route{rt}, nil

	case len(sub.connect) > 0:
		var out []route
		paths := []string{path}
		if sub.withPath {
			paths = append(paths, path+"/{path}")
		}
		for i, p := range paths {
			params, withPath := itemScope, ""
			if i == 1 {
				params, withPath = append(append([]pathParam(nil), itemScope...), proxyPathParam), "WithPath"
			}
			for _, method := range sub.connect {
				rt := at(p, params)
				rt.pretty, rt.gvk = false, optionsGVK
				rt.method, rt.action = method, "connect"
				rt.id = id("connect", upperFirst(method), ns, r.Kind, upperFirst(name), withPath)
				rt.doc = "connect " + strings.ToUpper(method) + " requests to " + name + " of " + r.Kind
				rt.query, rt.consumes, rt.produces = optionsQuery, anyMedia, anyMedia
				rt.codes, rt.result = []int{200}, resultString
				out = append(out, rt)
			}
		}
		return out, nil
	}

	model, base := obj, at(path, itemScope)
	if sub.kind != nil {
		m, err := kindModel(scheme, *sub.kind)
		if err != nil {
			return nil, fmt.Errorf("resource %s, subresource %s: %w", r.GroupVersionResource(), name, err)
		}
		model, base.gvk = m, sub.kind
	}
	return itemRoutes(base, suffix, r.Kind, model, name, sub.verbs), nil
}

// discoveryRoutes document the discovery endpoints and /version/, which
// upstream's documents also list (clients generated from them call these).
func discoveryRoutes(gvs []schema.GroupVersion) []route {
	var out []route
	get := func(path, id, tag, result string, produces []string) {
		out = append(out, route{
			path: path, method: "get", id: id, tag: tag, doc: "get available resources",
			produces: produces, consumes: objectMedia, codes: []int{200}, result: result,
		})
	}
	groups := map[string][]string{}
	for _, gv := range gvs {
		groups[gv.Group] = append(groups[gv.Group], gv.Version)
	}
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	for _, g := range names {
		versions := groups[g]
		sort.Strings(versions)
		if g == "" {
			get("/api/", "getCoreAPIVersions", "core", modelAPIVersions, objectMedia)
		} else {
			get("/apis/"+g+"/", "get"+groupCamel(g)+"APIGroup", lowerFirst(groupCamel(g)), modelAPIGroup, objectMedia)
		}
		for _, v := range versions {
			gv := schema.GroupVersion{Group: g, Version: v}
			get(gvPrefix(gv)+"/", "get"+groupCamel(g)+upperFirst(v)+"APIResources", groupTag(gv), modelResourceList, objectMedia)
		}
	}
	get("/apis/", "getAPIVersions", "apis", modelAPIGroupList, objectMedia)
	get("/version/", "getCodeVersion", "version", modelVersionInfo, []string{"application/json"})
	return out
}

// docKey is the OpenAPI v3 document a path belongs to, as upstream splits
// them: "api/v1" for /api/v1/..., "apis/apps/v1", "apis/apps" for the
// group's discovery, "api", "apis", "version".
func docKey(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case segs[0] == "api" && len(segs) >= 2:
		return "api/" + segs[1]
	case segs[0] == "apis" && len(segs) >= 3:
		return "apis/" + segs[1] + "/" + segs[2]
	case segs[0] == "apis" && len(segs) == 2:
		return "apis/" + segs[1]
	}
	return segs[0]
}
