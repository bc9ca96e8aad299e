package apiserver

import (
	"net/http"
	"strconv"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/storage"
)

// get serves GET of one object (or its status).
func (h *resourceHandler) get(w http.ResponseWriter, r *http.Request, info *RequestInfo) {
	obj := h.res.New()
	if err := h.store.Get(r.Context(), h.key(h.namespaceOf(info), info.Name), obj); err != nil {
		writeError(w, r, err)
		return
	}
	h.writeObject(w, r, http.StatusOK, obj)
}

// list serves GET of a collection: selectors, pagination, and Table or
// PartialObjectMetadataList output.
func (h *resourceHandler) list(w http.ResponseWriter, r *http.Request, info *RequestInfo) {
	opts, err := h.listOptions(r, info)
	if err != nil {
		writeError(w, r, err)
		return
	}
	format, ok := negotiateOutput(r, asTable, asPartialList)
	if !ok {
		writeError(w, r, notAcceptable())
		return
	}
	prefix := h.listPrefix(h.namespaceOf(info))
	if h.writeRawList(w, r, prefix, opts, format) {
		return
	}
	list := h.res.NewList()
	if err := h.store.List(r.Context(), prefix, opts, list); err != nil {
		writeError(w, r, err)
		return
	}
	switch format.as {
	case asTable:
		items, err := meta.ExtractList(list)
		if err != nil {
			writeError(w, r, err)
			return
		}
		lm, _ := meta.ListAccessor(list)
		table, err := h.toTable(r, items, metav1.ListMeta{
			ResourceVersion: lm.GetResourceVersion(), Continue: lm.GetContinue(),
			RemainingItemCount: lm.GetRemainingItemCount(),
		}, format)
		if err != nil {
			writeError(w, r, err)
			return
		}
		writeObjectWithFormat(w, http.StatusOK, format, table)
	case asPartialList:
		writeObjectWithFormat(w, http.StatusOK, format, partialMetadataList(list))
	default:
		list.GetObjectKind().SetGroupVersionKind(h.res.GroupVersion.WithKind(h.res.Kind + "List"))
		writeObjectWithFormat(w, http.StatusOK, format, list)
	}
}

// partialMetadataList turns a typed list into a PartialObjectMetadataList.
func partialMetadataList(list runtime.Object) *metav1.PartialObjectMetadataList {
	out := &metav1.PartialObjectMetadataList{}
	if lm, err := meta.ListAccessor(list); err == nil {
		out.ResourceVersion, out.Continue = lm.GetResourceVersion(), lm.GetContinue()
		out.RemainingItemCount = lm.GetRemainingItemCount()
	}
	_ = meta.EachListItem(list, func(obj runtime.Object) error {
		pom := partialMetadata(obj)
		pom.TypeMeta = metav1.TypeMeta{}
		out.Items = append(out.Items, *pom)
		return nil
	})
	out.SetGroupVersionKind(metav1.SchemeGroupVersion.WithKind("PartialObjectMetadataList"))
	return out
}

// listOptions reads selectors, resourceVersion and paging from the query.
// A field selector on a field the kind does not support is a 400, as upstream.
func (h *resourceHandler) listOptions(r *http.Request, info *RequestInfo) (storage.ListOptions, error) {
	q := r.URL.Query()
	opts := storage.ListOptions{
		ResourceVersion:      q.Get("resourceVersion"),
		ResourceVersionMatch: metav1.ResourceVersionMatch(q.Get("resourceVersionMatch")),
		Continue:             q.Get("continue"),
		AllowBookmarks:       q.Get("allowWatchBookmarks") == "true",
		Recursive:            true,
	}
	switch opts.ResourceVersionMatch {
	case "", metav1.ResourceVersionMatchExact, metav1.ResourceVersionMatchNotOlderThan:
	default:
		return opts, badRequest("resourceVersionMatch must be Exact or NotOlderThan, got %q", opts.ResourceVersionMatch)
	}
	if err := checkResourceVersionMatch(info.Verb, q.Get("sendInitialEvents") == "true", opts); err != nil {
		return opts, err
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return opts, badRequest("invalid limit %q", s)
		}
		opts.Limit = n
	}
	if s := q.Get("sendInitialEvents"); s != "" {
		v := s == "true"
		opts.SendInitialEvents = &v
	}
	ls, err := labels.Parse(q.Get("labelSelector"))
	if err != nil {
		return opts, badRequest("unable to parse requirement: %v", err)
	}
	fs, err := fields.ParseSelector(q.Get("fieldSelector"))
	if err != nil {
		return opts, badRequest("invalid field selector: %v", err)
	}
	if info.Name != "" { // watch of one object by name
		fs = fields.AndSelectors(fs, fields.OneTermEqualSelector("metadata.name", info.Name))
	}
	supported := h.res.Strategy.SelectableFields(h.res.New())
	for _, req := range fs.Requirements() {
		if _, ok := supported[req.Field]; !ok {
			return opts, apierrors.NewBadRequest("field label not supported: " + req.Field)
		}
	}
	opts.Predicate = storage.Predicate{Label: ls, Field: fs, GetAttrs: h.getAttrs}
	return opts, nil
}

// checkResourceVersionMatch applies upstream's rules: a list may ask for a
// match only with a resourceVersion; a watch only as a watch-list
// (sendInitialEvents=true with NotOlderThan).
func checkResourceVersionMatch(verb string, sendInitialEvents bool, opts storage.ListOptions) error {
	m := opts.ResourceVersionMatch
	var msg string
	switch {
	case m == "":
		return nil
	case verb == "watch" && !(sendInitialEvents && m == metav1.ResourceVersionMatchNotOlderThan):
		msg = "resourceVersionMatch is forbidden for watch unless sendInitialEvents is true with NotOlderThan"
	case verb != "watch" && opts.ResourceVersion == "":
		msg = "resourceVersionMatch is forbidden unless resourceVersion is provided"
	default:
		return nil
	}
	return apierrors.NewInvalid(metav1.SchemeGroupVersion.WithKind("ListOptions").GroupKind(), "",
		field.ErrorList{field.Forbidden(field.NewPath("resourceVersionMatch"), msg)})
}
