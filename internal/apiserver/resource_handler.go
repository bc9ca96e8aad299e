package apiserver

import (
	"net/http"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/managedfields"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/storage"
)

// resourceHandler serves every verb of one resource, generically: what
// differs between kinds lives in res.Strategy.
type resourceHandler struct {
	server *Server
	res    *registry.Resource
	store  storage.Interface
	prefix string

	fmOnce        sync.Mutex
	fieldManagers map[string]*managedfields.FieldManager // by subresource
}

// serve dispatches on verb and subresource.
func (h *resourceHandler) serve(w http.ResponseWriter, r *http.Request, info *RequestInfo) {
	if h.res.Virtual() {
		h.serveVirtual(w, r, info)
		return
	}
	if info.Subresource != "" && !h.res.HasSubresource(info.Subresource) {
		writeError(w, r, apierrors.NewNotFound(h.groupResource(), info.Name))
		return
	}
	switch info.Subresource {
	case "", "status":
	case "scale":
		h.serveScale(w, r, info)
		return
	case "binding":
		h.serveBinding(w, r, info)
		return
	case "eviction":
		h.serveEviction(w, r, info)
		return
	case "finalize":
		if info.Verb != "update" {
			writeError(w, r, apierrors.NewMethodNotSupported(h.groupResource(), info.Verb))
			return
		}
	default:
		if sub := h.server.subresourceHandler(h.res, info.Subresource); sub != nil {
			sub(w, r, info)
			return
		}
		writeError(w, r, apierrors.NewNotFound(h.groupResource(), info.Name))
		return
	}
	switch info.Verb {
	case "get":
		h.get(w, r, info)
	case "list":
		h.list(w, r, info)
	case "watch":
		h.watch(w, r, info)
	case "create":
		if info.Subresource != "" || info.Name != "" {
			writeError(w, r, apierrors.NewMethodNotSupported(h.groupResource(), "create"))
			return
		}
		h.create(w, r, info)
	case "update":
		h.update(w, r, info)
	case "patch":
		h.patch(w, r, info)
	case "delete":
		h.delete(w, r, info)
	case "deletecollection":
		h.deleteCollection(w, r, info)
	default:
		writeError(w, r, apierrors.NewMethodNotSupported(h.groupResource(), r.Method))
	}
}

func (h *resourceHandler) groupResource() schema.GroupResource {
	return schema.GroupResource{Group: h.res.GroupVersion.Group, Resource: h.res.Plural}
}

// key is the etcd key of one object.
func (h *resourceHandler) key(namespace, name string) string {
	if h.res.Namespaced {
		return h.prefix + "/" + namespace + "/" + name
	}
	return h.prefix + "/" + name
}

// listPrefix is the etcd key prefix of a collection (one namespace, or all).
func (h *resourceHandler) listPrefix(namespace string) string {
	if h.res.Namespaced && namespace != "" {
		return h.prefix + "/" + namespace + "/"
	}
	return h.prefix + "/"
}

// namespaceOf is the namespace a request addresses; for namespaces
// themselves the "namespace" in the URL is the object's name.
func (h *resourceHandler) namespaceOf(info *RequestInfo) string {
	if !h.res.Namespaced {
		return ""
	}
	return info.Namespace
}

// getAttrs returns the labels and selectable fields of obj for selectors.
func (h *resourceHandler) getAttrs(obj runtime.Object) (labels.Set, fields.Set, error) {
	m, err := meta.Accessor(obj)
	if err != nil {
		return nil, nil, err
	}
	return labels.Set(m.GetLabels()), h.res.Strategy.SelectableFields(obj), nil
}

// setGVK stamps the resource's apiVersion and kind on an object about to be
// written out: stored and cached objects may carry none.
func (h *resourceHandler) setGVK(obj runtime.Object) {
	obj.GetObjectKind().SetGroupVersionKind(h.res.GroupVersionKind())
}

// writeObject encodes a single object in the negotiated format (Table and
// PartialObjectMetadata included).
func (h *resourceHandler) writeObject(w http.ResponseWriter, r *http.Request, code int, obj runtime.Object) {
	warn(w, admission.WarningsFrom(r.Context()))
	format, ok := negotiateOutput(r, asTable, asPartial)
	if !ok {
		writeError(w, r, notAcceptable())
		return
	}
	switch format.as {
	case asTable:
		table, err := h.toTable(r, []runtime.Object{obj}, metav1.ListMeta{}, format)
		if err != nil {
			writeError(w, r, err)
			return
		}
		writeObjectWithFormat(w, code, format, table)
	case asPartial:
		writeObjectWithFormat(w, code, format, partialMetadata(obj))
	default:
		h.setGVK(obj)
		writeObjectWithFormat(w, code, format, obj)
	}
}

// partialMetadata is obj's metadata as a PartialObjectMetadata.
func partialMetadata(obj runtime.Object) *metav1.PartialObjectMetadata {
	pom := &metav1.PartialObjectMetadata{}
	if a, ok := obj.(metav1.ObjectMetaAccessor); ok {
		if om, ok := a.GetObjectMeta().(*metav1.ObjectMeta); ok {
			pom.ObjectMeta = *om
		}
	}
	pom.SetGroupVersionKind(metav1.SchemeGroupVersion.WithKind("PartialObjectMetadata"))
	return pom
}

// warn adds Warning headers (shown by kubectl) the way upstream words them.
// Header values cannot hold newlines (HTTP/2 drops such headers), so a
// multi-line warning is folded onto one line.
func warn(w http.ResponseWriter, warnings []string) {
	for _, msg := range warnings {
		msg = strings.Join(strings.Fields(msg), " ")
		w.Header().Add("Warning", `299 - "`+strings.ReplaceAll(msg, `"`, `\"`)+`"`)
	}
}

// dryRun tells whether the request asks for dryRun=All.
func dryRun(r *http.Request) (bool, error) {
	values := r.URL.Query()["dryRun"]
	for _, v := range values {
		if v != "All" {
			return false, badRequest("Invalid dry run value: %q: valid values are All", v)
		}
	}
	return len(values) > 0, nil
}
