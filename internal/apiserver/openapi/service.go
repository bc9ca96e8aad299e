package openapi

import (
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/managedfields"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/kube-openapi/pkg/validation/spec"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// Service serves the OpenAPI documents of a fixed set of resources and
// hands out the type converter built from the same definitions.
//
// New only works out the paths and checks every kind has a definition
// (a few milliseconds). The documents are built on their first request and
// the type converter on its first use; each is built once and kept (the
// documents as compressed bytes only). Warm builds them all ahead of time.
type Service struct {
	routes []route
	kinds  kindIndex
	info   *spec.Info

	v2Once sync.Once
	v2     *document
	v2Err  error

	v3Once  sync.Once
	v3      map[string]*document // by key: "api/v1", "apis/apps/v1", ...
	v3Index *document
	v3Err   error

	tc *lazyTypeConverter
}

// New describes resources. It fails when a resource's types have no
// generated definition (the message says how to add them), so a missing
// group shows at start rather than on the first kubectl explain.
func New(resources []*registry.Resource) (*Service, error) {
	scheme := clientgoscheme.Scheme
	kinds := kindIndex{}
	var routes []route
	var gvs []schema.GroupVersion
	seenGV := map[schema.GroupVersion]bool{}
	for _, r := range resources {
		rs, err := resourceRoutes(r, scheme)
		if err != nil {
			return nil, err
		}
		routes = append(routes, rs...)
		if !seenGV[r.GroupVersion] {
			seenGV[r.GroupVersion] = true
			gvs = append(gvs, r.GroupVersion)
		}
		// A resource's own types count even if the scheme does not know them.
		if name, err := modelName(r.New()); err == nil {
			kinds.add(name, r.GroupVersionKind())
		}
		if r.NewList != nil {
			if name, err := modelName(r.NewList()); err == nil {
				kinds.add(name, r.GroupVersion.WithKind(r.Kind+"List"))
			}
		}
	}
	sort.Slice(gvs, func(i, j int) bool { return gvs[i].String() < gvs[j].String() })
	kinds.addScheme(scheme, gvs)
	// Kinds met only as subresource bodies (autoscaling/v1 Scale) are
	// listed alone, not their whole group-version.
	for _, r := range resources {
		for _, name := range r.Subresources {
			if kind := subresources[name].kind; kind != nil {
				if model, err := kindModel(scheme, *kind); err == nil {
					kinds.add(model, *kind)
				}
			}
		}
	}
	routes = append(discoveryRoutes(gvs), routes...)

	s := &Service{
		routes: routes,
		kinds:  kinds,
		info:   &spec.Info{InfoProps: spec.InfoProps{Title: "Kubernetes", Version: apiVersion()}},
	}
	s.tc = &lazyTypeConverter{kinds: kinds}
	if err := s.check(); err != nil {
		return nil, err
	}
	return s, nil
}

// check makes sure every definition and options type the routes name was
// generated.
func (s *Service) check() error {
	seen := map[string]bool{}
	var roots []string
	add := func(name string) {
		if !seen[name] {
			seen[name] = true
			roots = append(roots, name)
		}
	}
	for _, rt := range s.routes {
		for _, m := range rt.models() {
			add(m)
		}
		for _, o := range rt.query {
			add(o.model)
		}
	}
	sort.Strings(roots) // the same error whatever the map order
	_, err := closure(loadDefinitions(v2RefPrefix), roots)
	return err
}

// apiVersion is the info.version of the documents: the Kubernetes release
// whose k8s.io/api hanok is built with (v0.37.2 -> v1.37.2), as upstream
// puts its own version there.
func apiVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			if dep.Path == "k8s.io/api" && strings.HasPrefix(dep.Version, "v0.") {
				return "v1." + strings.TrimPrefix(dep.Version, "v0.")
			}
		}
	}
	return "unversioned"
}

// Warm builds the documents and the type converter now rather than on
// first use; call it in the background after start to spare the first
// kubectl the wait.
func (s *Service) Warm() error {
	if _, err := s.v2Document(); err != nil {
		return err
	}
	if _, _, err := s.v3Documents(); err != nil {
		return err
	}
	_, err := s.tc.get()
	return err
}

// TypeConverter returns the server-side apply type converter of every
// generated definition. It is built on its first use (its methods return
// the build error, if any; the tests make sure there is none).
func (s *Service) TypeConverter() managedfields.TypeConverter {
	return s.tc
}
