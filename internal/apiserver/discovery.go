package apiserver

import (
	"net"
	"net/http"
	"strings"

	apidiscoveryv2 "k8s.io/api/apidiscovery/v2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// discovery serves /api, /apis and the per-group and per-version resource
// lists, in both the classic form and aggregated discovery
// (apidiscovery.k8s.io/v2), which current kubectl asks for first. It is
// built once from the served resources.
type discovery struct {
	groups    []string // in serving order; "" is the core group
	versions  map[string][]string
	resources map[schema.GroupVersion][]metav1.APIResource
	aggCore   *apidiscoveryv2.APIGroupDiscoveryList
	aggGroups *apidiscoveryv2.APIGroupDiscoveryList
}

var (
	resourceVerbs    = metav1.Verbs{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}
	subresourceVerbs = map[string]metav1.Verbs{
		"status": {"get", "patch", "update"}, "scale": {"get", "patch", "update"},
		"finalize": {"update"}, "binding": {"create"}, "eviction": {"create"}, "token": {"create"},
		"log": {"get"}, "exec": {"create", "get"}, "attach": {"create", "get"}, "portforward": {"create", "get"},
		"proxy": {"create", "delete", "get", "patch", "update"},
	}
	subresourceKinds = map[string]schema.GroupVersionKind{
		"scale":    {Group: "autoscaling", Version: "v1", Kind: "Scale"},
		"binding":  {Version: "v1", Kind: "Binding"},
		"eviction": {Group: "policy", Version: "v1", Kind: "Eviction"},
		"token":    {Group: "authentication.k8s.io", Version: "v1", Kind: "TokenRequest"},
		// The connect subresources answer with their options kind, as
		// upstream's discovery lists them (pods/log answers with Pod).
		"exec":        {Version: "v1", Kind: "PodExecOptions"},
		"attach":      {Version: "v1", Kind: "PodAttachOptions"},
		"portforward": {Version: "v1", Kind: "PodPortForwardOptions"},
		"nodes/proxy": {Version: "v1", Kind: "NodeProxyOptions"},
	}
)

// subresourceKind is the kind a subresource answers with when it is not
// its resource's own: by "resource/sub" first (proxy differs between
// nodes, pods and services), then by sub.
func subresourceKind(res *registry.Resource, sub string) (schema.GroupVersionKind, bool) {
	if k, ok := subresourceKinds[res.Plural+"/"+sub]; ok {
		return k, true
	}
	k, ok := subresourceKinds[sub]
	return k, ok
}

// verbsOf is what a resource supports: everything, or create alone for a
// virtual one.
func verbsOf(res *registry.Resource) metav1.Verbs {
	if res.Virtual() {
		return metav1.Verbs{"create"}
	}
	return resourceVerbs
}

// componentStatusResource is served by the API server itself (not stored).
var componentStatusResource = metav1.APIResource{
	Name: "componentstatuses", SingularName: "componentstatus", Kind: "ComponentStatus",
	Verbs: metav1.Verbs{"get", "list"}, ShortNames: []string{"cs"},
}

func newDiscovery(resources []*registry.Resource, external []ExternalResource) *discovery {
	d := &discovery{versions: map[string][]string{}, resources: map[schema.GroupVersion][]metav1.APIResource{}}
	addGV := func(gv schema.GroupVersion) {
		if _, ok := d.versions[gv.Group]; !ok {
			d.groups = append(d.groups, gv.Group)
		}
		if _, ok := d.resources[gv]; !ok {
			d.versions[gv.Group] = append(d.versions[gv.Group], gv.Version)
		}
	}
	for _, res := range resources {
		gv := res.GroupVersion
		addGV(gv)
		d.resources[gv] = append(d.resources[gv], metav1.APIResource{
			Name: res.Plural, SingularName: res.Singular, Namespaced: res.Namespaced, Kind: res.Kind,
			Verbs: verbsOf(res), ShortNames: res.ShortNames, Categories: res.Categories,
		})
		for _, sub := range res.Subresources {
			kind := res.Kind
			group, version := "", ""
			if k, ok := subresourceKind(res, sub); ok {
				kind, group, version = k.Kind, k.Group, k.Version
			}
			d.resources[gv] = append(d.resources[gv], metav1.APIResource{
				Name: res.Plural + "/" + sub, Namespaced: res.Namespaced, Kind: kind,
				Group: group, Version: version, Verbs: subresourceVerbs[sub],
			})
		}
	}
	for _, ext := range external {
		addGV(ext.GroupVersion)
		d.resources[ext.GroupVersion] = append(d.resources[ext.GroupVersion], ext.Resource)
	}
	core := schema.GroupVersion{Version: "v1"}
	if _, ok := d.resources[core]; ok {
		d.resources[core] = append(d.resources[core], componentStatusResource)
	}
	d.aggCore, d.aggGroups = d.aggregated(resources, external)
	return d
}

// aggregated builds the apidiscovery.k8s.io/v2 documents for /api and /apis.
func (d *discovery) aggregated(resources []*registry.Resource, external []ExternalResource) (core, groups *apidiscoveryv2.APIGroupDiscoveryList) {
	byGV := map[schema.GroupVersion][]apidiscoveryv2.APIResourceDiscovery{}
	for _, res := range resources {
		scope := apidiscoveryv2.ScopeCluster
		if res.Namespaced {
			scope = apidiscoveryv2.ScopeNamespace
		}
		rd := apidiscoveryv2.APIResourceDiscovery{
			Resource: res.Plural, SingularResource: res.Singular, Scope: scope,
			ResponseKind: &metav1.GroupVersionKind{Group: res.GroupVersion.Group, Version: res.GroupVersion.Version, Kind: res.Kind},
			Verbs:        verbsOf(res), ShortNames: res.ShortNames, Categories: res.Categories,
		}
		for _, sub := range res.Subresources {
			k, ok := subresourceKind(res, sub)
			if !ok {
				k = res.GroupVersionKind()
			}
			rd.Subresources = append(rd.Subresources, apidiscoveryv2.APISubresourceDiscovery{
				Subresource:  sub,
				ResponseKind: &metav1.GroupVersionKind{Group: k.Group, Version: k.Version, Kind: k.Kind},
				Verbs:        subresourceVerbs[sub],
			})
		}
		byGV[res.GroupVersion] = append(byGV[res.GroupVersion], rd)
	}
	for _, ext := range external {
		r := ext.Resource
		scope := apidiscoveryv2.ScopeCluster
		if r.Namespaced {
			scope = apidiscoveryv2.ScopeNamespace
		}
		byGV[ext.GroupVersion] = append(byGV[ext.GroupVersion], apidiscoveryv2.APIResourceDiscovery{
			Resource: r.Name, SingularResource: r.SingularName, Scope: scope,
			ResponseKind: &metav1.GroupVersionKind{Group: ext.GroupVersion.Group, Version: ext.GroupVersion.Version, Kind: r.Kind},
			Verbs:        r.Verbs, ShortNames: r.ShortNames, Categories: r.Categories,
		})
	}
	cs := componentStatusResource
	coreGV := schema.GroupVersion{Version: "v1"}
	if _, ok := byGV[coreGV]; ok {
		byGV[coreGV] = append(byGV[coreGV], apidiscoveryv2.APIResourceDiscovery{
			Resource: cs.Name, SingularResource: cs.SingularName, Scope: apidiscoveryv2.ScopeCluster,
			ResponseKind: &metav1.GroupVersionKind{Version: "v1", Kind: cs.Kind}, Verbs: cs.Verbs, ShortNames: cs.ShortNames,
		})
	}
	core = &apidiscoveryv2.APIGroupDiscoveryList{}
	groups = &apidiscoveryv2.APIGroupDiscoveryList{}
	for _, g := range d.groups {
		item := apidiscoveryv2.APIGroupDiscovery{ObjectMeta: metav1.ObjectMeta{Name: g}}
		for _, v := range d.versions[g] {
			item.Versions = append(item.Versions, apidiscoveryv2.APIVersionDiscovery{
				Version: v, Resources: byGV[schema.GroupVersion{Group: g, Version: v}],
				Freshness: apidiscoveryv2.DiscoveryFreshnessCurrent,
			})
		}
		if g == "" {
			core.Items = append(core.Items, item)
		} else {
			groups.Items = append(groups.Items, item)
		}
	}
	for _, l := range []*apidiscoveryv2.APIGroupDiscoveryList{core, groups} {
		l.SetGroupVersionKind(apidiscoveryv2.SchemeGroupVersion.WithKind("APIGroupDiscoveryList"))
	}
	return core, groups
}

// serve answers every discovery path.
func (d *discovery) serve(w http.ResponseWriter, r *http.Request) {
	parts := splitPath(r.URL.Path)
	var obj runtime.Object
	switch {
	case len(parts) == 1 && parts[0] == "api":
		if d.serveAggregated(w, r, d.aggCore) {
			return
		}
		obj = &metav1.APIVersions{Versions: d.versions[""], ServerAddressByClientCIDRs: serverAddresses(r)}
	case len(parts) == 1 && parts[0] == "apis":
		if d.serveAggregated(w, r, d.aggGroups) {
			return
		}
		list := &metav1.APIGroupList{}
		for _, g := range d.groups {
			if g != "" {
				list.Groups = append(list.Groups, d.group(g))
			}
		}
		obj = list
	case len(parts) == 2 && parts[0] == "api":
		obj = d.resourceList(schema.GroupVersion{Version: parts[1]})
	case len(parts) == 2 && parts[0] == "apis":
		if _, ok := d.versions[parts[1]]; ok && parts[1] != "" {
			g := d.group(parts[1])
			obj = &g
		}
	case len(parts) == 3 && parts[0] == "apis":
		obj = d.resourceList(schema.GroupVersion{Group: parts[1], Version: parts[2]})
	}
	if obj == nil || isNilList(obj) {
		writeError(w, r, apierrors.NewNotFound(schema.GroupResource{}, strings.Join(parts, "/")))
		return
	}
	format, ok := negotiateOutput(r)
	if !ok {
		writeError(w, r, notAcceptable())
		return
	}
	setDiscoveryKind(obj)
	writeObjectWithFormat(w, http.StatusOK, format, obj)
}

// serveAggregated answers with aggregated discovery when the client asks
// for it; false leaves the request to the classic form.
func (d *discovery) serveAggregated(w http.ResponseWriter, r *http.Request, list *apidiscoveryv2.APIGroupDiscoveryList) bool {
	format, ok := negotiateOutput(r, asDiscoveryV2)
	if !ok || format.as != asDiscoveryV2 {
		return false
	}
	writeObjectWithFormat(w, http.StatusOK, format, list)
	return true
}

func (d *discovery) group(g string) metav1.APIGroup {
	group := metav1.APIGroup{Name: g}
	for _, v := range d.versions[g] {
		group.Versions = append(group.Versions, metav1.GroupVersionForDiscovery{GroupVersion: g + "/" + v, Version: v})
	}
	group.PreferredVersion = group.Versions[0]
	return group
}

func (d *discovery) resourceList(gv schema.GroupVersion) *metav1.APIResourceList {
	res, ok := d.resources[gv]
	if !ok {
		return nil
	}
	return &metav1.APIResourceList{GroupVersion: gv.String(), APIResources: res}
}

func isNilList(obj runtime.Object) bool {
	l, ok := obj.(*metav1.APIResourceList)
	return ok && l == nil
}

// setDiscoveryKind stamps the classic discovery kinds, which live in the
// unnamed "v1" group version like Status.
func setDiscoveryKind(obj runtime.Object) {
	var kind string
	switch obj.(type) {
	case *metav1.APIVersions:
		kind = "APIVersions"
	case *metav1.APIGroupList:
		kind = "APIGroupList"
	case *metav1.APIGroup:
		kind = "APIGroup"
	case *metav1.APIResourceList:
		kind = "APIResourceList"
	}
	obj.GetObjectKind().SetGroupVersionKind(schema.GroupVersion{Version: "v1"}.WithKind(kind))
}

// serverAddresses tells clients which address reaches this server, as
// upstream's /api does.
func serverAddresses(r *http.Request) []metav1.ServerAddressByClientCIDR {
	host := r.Host
	if _, _, err := net.SplitHostPort(host); err != nil {
		host = net.JoinHostPort(host, "443")
	}
	return []metav1.ServerAddressByClientCIDR{{ClientCIDR: "0.0.0.0/0", ServerAddress: host}}
}
