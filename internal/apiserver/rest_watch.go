package apiserver

import (
	"bytes"
	"context"
	"math/rand"
	"net/http"
	"strconv"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/streaming"
	"k8s.io/apimachinery/pkg/watch"
)

// minWatchTimeout is the shortest server-chosen watch lifetime; each watch
// gets between one and two times this, as upstream spreads reconnects.
const minWatchTimeout = 30 * time.Minute

// watch streams change events of a collection (or one object) as
// newline-delimited JSON or length-framed protobuf WatchEvents, optionally
// rendered as Table rows for `kubectl get -w`.
func (h *resourceHandler) watch(w http.ResponseWriter, r *http.Request, info *RequestInfo) {
	opts, err := h.listOptions(r, info)
	if err != nil {
		writeError(w, r, err)
		return
	}
	format, ok := negotiateOutput(r, asTable, asPartial)
	if !ok || format.info.StreamSerializer == nil {
		writeError(w, r, notAcceptable())
		return
	}
	timeout := minWatchTimeout + time.Duration(rand.Int63n(int64(minWatchTimeout)))
	if s := r.URL.Query().Get("timeoutSeconds"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			writeError(w, r, badRequest("invalid timeoutSeconds %q", s))
			return
		}
		timeout = time.Duration(n) * time.Second
	}
	// Watchers that get plain objects share each event's encoding.
	opts.SharedEncoding = format.as == asObject
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	wi, err := h.store.Watch(ctx, h.listPrefix(h.namespaceOf(info)), opts)
	if err != nil {
		writeError(w, r, err)
		return
	}
	defer wi.Stop()

	flusher, _ := w.(http.Flusher)
	contentType := format.contentType()
	if format.info.MediaType != runtime.ContentTypeJSON {
		contentType += ";stream=watch"
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Transfer-Encoding", "chunked")
	w.WriteHeader(http.StatusOK)
	if flusher != nil {
		flusher.Flush()
	}
	framer := format.info.StreamSerializer.Framer.NewFrameWriter(w)
	enc := streaming.NewEncoder(framer, format.info.StreamSerializer.Serializer)
	firstTable := true
	var buf bytes.Buffer
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-wi.ResultChan():
			if !ok {
				return
			}
			obj, skip, err := h.watchObject(r, ev, format, &firstTable)
			if err != nil {
				return
			}
			if skip {
				continue
			}
			buf.Reset()
			if err := format.info.Serializer.Encode(obj, &buf); err != nil {
				return
			}
			event := &metav1.WatchEvent{Type: string(ev.Type), Object: runtime.RawExtension{Raw: buf.Bytes()}}
			if err := enc.Encode(event); err != nil {
				return
			}
			if len(wi.ResultChan()) == 0 && flusher != nil {
				flusher.Flush()
			}
		}
	}
}

// watchObject renders one event's object in the requested form.
func (h *resourceHandler) watchObject(r *http.Request, ev watch.Event, format outputFormat, firstTable *bool) (runtime.Object, bool, error) {
	if ev.Type == watch.Error {
		if st, ok := ev.Object.(*metav1.Status); ok {
			st.SetGroupVersionKind(statusGVK)
		}
		return ev.Object, false, nil
	}
	// Event objects are shallow copies this watcher owns at the top level
	// (see storage), so stamping the kind on them is safe.
	if format.as == asObject {
		h.setGVK(ev.Object)
		return ev.Object, false, nil
	}
	obj := ev.Object
	if co, ok := obj.(runtime.CacheableObject); ok {
		obj = co.GetObject()
	}
	if format.as == asPartial {
		// Metadata informers (the garbage collector's) watch every kind
		// as PartialObjectMetadata, bookmarks included.
		return partialMetadata(obj), false, nil
	}
	if ev.Type == watch.Bookmark {
		return nil, true, nil
	}
	table, err := h.toTable(r, []runtime.Object{obj}, metav1.ListMeta{}, format)
	if err != nil {
		return nil, false, err
	}
	if !*firstTable {
		table.ColumnDefinitions = nil
	}
	*firstTable = false
	return table, false, nil
}
