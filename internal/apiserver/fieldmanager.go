package apiserver

import (
	"net/http"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/managedfields"
)

// fieldManager returns (building once) the managedFields tracker of this
// resource for a subresource ("" or "status"); nil when the server has no
// type converter, in which case managedFields are simply not tracked.
func (h *resourceHandler) fieldManager(subresource string) *managedfields.FieldManager {
	tc := h.server.cfg.TypeConverter
	if tc == nil {
		return nil
	}
	h.fmOnce.Lock()
	defer h.fmOnce.Unlock()
	if fm, ok := h.fieldManagers[subresource]; ok {
		return fm
	}
	gvk := h.res.GroupVersionKind()
	fm, err := managedfields.NewDefaultFieldManager(tc, Scheme, strategyDefaulter{h}, Scheme,
		gvk, gvk.GroupVersion(), subresource, nil)
	if err != nil {
		fm = nil
	}
	if h.fieldManagers == nil {
		h.fieldManagers = map[string]*managedfields.FieldManager{}
	}
	h.fieldManagers[subresource] = fm
	return fm
}

// strategyDefaulter lets the field manager apply the kind's defaults to an
// applied configuration, so defaulted fields do not read as changes.
type strategyDefaulter struct{ h *resourceHandler }

func (d strategyDefaulter) Default(obj runtime.Object) { d.h.res.Strategy.Default(obj) }

// managerName is the request's fieldManager, or a name derived from the
// user agent as upstream does ("kubectl", "hanok").
func managerName(r *http.Request) string {
	if m := r.URL.Query().Get("fieldManager"); m != "" {
		return m
	}
	ua := r.UserAgent()
	if i := strings.Index(ua, "/"); i > 0 {
		ua = ua[:i]
	}
	if ua == "" {
		return "unknown"
	}
	return ua
}

// trackUpdate records an update (or create, with live = an empty object) in
// managedFields. Failures to track never fail the write, as upstream.
func (h *resourceHandler) trackUpdate(subresource string, live, obj runtime.Object, manager string) runtime.Object {
	fm := h.fieldManager(subresource)
	if fm == nil {
		return obj
	}
	return fm.UpdateNoErrors(live, obj, manager)
}
