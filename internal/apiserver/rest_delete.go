package apiserver

import (
	"context"
	"net/http"
	"strconv"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/storage"
)

// Finalizers the API server adds for the garbage collector's propagation
// policies, as upstream names them.
const (
	finalizerOrphan     = metav1.FinalizerOrphanDependents
	finalizerForeground = metav1.FinalizerDeleteDependents
)

// deleteOptions reads DeleteOptions from the body (kubectl sends them
// there) or the query.
func deleteOptions(r *http.Request) (*metav1.DeleteOptions, error) {
	opts := &metav1.DeleteOptions{}
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	if len(body) > 0 {
		info, ok := negotiateInput(r)
		if !ok {
			return nil, unsupportedMediaType(r.Header.Get("Content-Type"))
		}
		gvk := metav1.SchemeGroupVersion.WithKind("DeleteOptions")
		if _, _, err := info.Serializer.Decode(body, &gvk, opts); err != nil {
			return nil, badRequest("decoding DeleteOptions: %v", err)
		}
	}
	q := r.URL.Query()
	if s := q.Get("gracePeriodSeconds"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, badRequest("invalid gracePeriodSeconds %q", s)
		}
		opts.GracePeriodSeconds = &n
	}
	if s := q.Get("propagationPolicy"); s != "" {
		p := metav1.DeletionPropagation(s)
		opts.PropagationPolicy = &p
	}
	if q.Get("orphanDependents") != "" && opts.PropagationPolicy == nil {
		p := metav1.DeletePropagationBackground
		if q.Get("orphanDependents") == "true" {
			p = metav1.DeletePropagationOrphan
		}
		opts.PropagationPolicy = &p
	}
	if len(q["dryRun"]) > 0 {
		opts.DryRun = q["dryRun"]
	}
	for _, v := range opts.DryRun {
		if v != metav1.DryRunAll {
			return nil, badRequest("Invalid dry run value: %q: valid values are All", v)
		}
	}
	if p := opts.PropagationPolicy; p != nil && *p != metav1.DeletePropagationOrphan &&
		*p != metav1.DeletePropagationBackground && *p != metav1.DeletePropagationForeground {
		return nil, badRequest("propagationPolicy must be one of Orphan, Background or Foreground, got %q", *p)
	}
	return opts, nil
}

// delete serves DELETE of one object.
func (h *resourceHandler) delete(w http.ResponseWriter, r *http.Request, info *RequestInfo) {
	opts, err := deleteOptions(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	out, err := h.deleteObject(r.Context(), h.namespaceOf(info), info.Name, opts)
	if err != nil {
		writeError(w, r, err)
		return
	}
	h.writeObject(w, r, http.StatusOK, out)
}

// deleteObject deletes at once, or marks the object for deletion when it
// has finalizers, a propagation policy that needs the garbage collector, or
// a grace period (pods on a node). It returns the last state.
func (h *resourceHandler) deleteObject(ctx context.Context, ns, name string, opts *metav1.DeleteOptions) (runtime.Object, error) {
	dry := len(opts.DryRun) > 0
	key := h.key(ns, name)
	var pre *storage.Preconditions
	if p := opts.Preconditions; p != nil {
		pre = &storage.Preconditions{UID: p.UID, ResourceVersion: p.ResourceVersion}
	}
	current := h.res.New()
	if err := h.store.Get(ctx, key, current); err != nil {
		return nil, err
	}
	attrs := h.admissionAttributes(ctx, admission.Delete, nil, current, "", dry)
	attrs.Options = opts
	if err := h.server.cfg.Admission.Validate(ctx, attrs); err != nil {
		return nil, err
	}
	if h.needsGracefulDeletion(current, opts) {
		out := h.res.New()
		var result runtime.Object
		err := h.store.GuaranteedUpdate(ctx, key, out, false, pre, func(cur runtime.Object) (runtime.Object, error) {
			if !h.markDeleting(cur, opts) {
				return nil, errDeleteNow
			}
			if dry {
				return nil, dryRunResult{cur}
			}
			return cur, nil
		})
		switch {
		case err == errDeleteNow:
		case isDryRun(err, &result):
			return result, nil
		case err != nil:
			return nil, err
		default:
			return out, nil
		}
	}
	if dry {
		return current, nil
	}
	out := h.res.New()
	if err := h.store.Delete(ctx, key, out, pre, nil); err != nil {
		return nil, err
	}
	h.server.afterDelete(ctx, h.res, out)
	return out, nil
}

// errDeleteNow stops a graceful-deletion update: the object can go at once.
var errDeleteNow = apierrors.NewInternalError(errString("delete now"))

type errString string

func (e errString) Error() string { return string(e) }

func isDryRun(err error, out *runtime.Object) bool {
	d, ok := err.(dryRunResult)
	if ok {
		*out = d.obj
	}
	return ok
}

// needsGracefulDeletion tells whether deleting obj means marking it first.
func (h *resourceHandler) needsGracefulDeletion(obj runtime.Object, opts *metav1.DeleteOptions) bool {
	m, err := meta.Accessor(obj)
	if err != nil {
		return false
	}
	if len(m.GetFinalizers()) > 0 || !h.readyToRemove(obj) {
		return true
	}
	if p := opts.PropagationPolicy; p != nil && (*p == metav1.DeletePropagationOrphan || *p == metav1.DeletePropagationForeground) {
		return true
	}
	if gd, ok := h.res.Strategy.(registry.GracefulDeleter); ok {
		return gd.GracePeriod(obj, opts.GracePeriodSeconds) > 0
	}
	return false
}

// markDeleting sets deletionTimestamp (now + grace), adds the propagation
// finalizer and, for namespaces, the Terminating phase. It returns false
// when the object may be removed right away instead (a graceful pod whose
// grace has just been cut to zero and that has no finalizers).
func (h *resourceHandler) markDeleting(obj runtime.Object, opts *metav1.DeleteOptions) bool {
	m, _ := meta.Accessor(obj)
	var grace int64
	if gd, ok := h.res.Strategy.(registry.GracefulDeleter); ok {
		grace = gd.GracePeriod(obj, opts.GracePeriodSeconds)
	}
	if p := opts.PropagationPolicy; p != nil {
		switch *p {
		case metav1.DeletePropagationOrphan:
			m.SetFinalizers(addString(m.GetFinalizers(), finalizerOrphan))
		case metav1.DeletePropagationForeground:
			m.SetFinalizers(addString(m.GetFinalizers(), finalizerForeground))
		}
	}
	if len(m.GetFinalizers()) == 0 && grace == 0 && h.readyToRemove(obj) {
		return false
	}
	now := time.Now()
	if ts := m.GetDeletionTimestamp(); ts == nil {
		t := metav1.NewTime(now.Add(time.Duration(grace) * time.Second))
		m.SetDeletionTimestamp(&t)
		m.SetDeletionGracePeriodSeconds(&grace)
	} else if old := m.GetDeletionGracePeriodSeconds(); old != nil && grace < *old {
		// A shorter grace period shortens an ongoing deletion, as upstream.
		t := metav1.NewTime(now.Add(time.Duration(grace) * time.Second))
		m.SetDeletionTimestamp(&t)
		m.SetDeletionGracePeriodSeconds(&grace)
	}
	markTerminating(obj)
	return true
}

func addString(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// deleteCollection serves DELETE of a collection: every object matching
// the selectors is deleted as by a single DELETE.
func (h *resourceHandler) deleteCollection(w http.ResponseWriter, r *http.Request, info *RequestInfo) {
	opts, err := deleteOptions(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	listOpts, err := h.listOptions(r, info)
	if err != nil {
		writeError(w, r, err)
		return
	}
	list := h.res.NewList()
	ns := h.namespaceOf(info)
	if err := h.store.List(r.Context(), h.listPrefix(ns), listOpts, list); err != nil {
		writeError(w, r, err)
		return
	}
	deleted := h.res.NewList()
	var items []runtime.Object
	err = meta.EachListItem(list, func(obj runtime.Object) error {
		m, _ := meta.Accessor(obj)
		out, err := h.deleteObject(r.Context(), m.GetNamespace(), m.GetName(), opts)
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err == nil {
			items = append(items, out)
		}
		return err
	})
	if err != nil {
		writeError(w, r, err)
		return
	}
	if err := meta.SetList(deleted, items); err != nil {
		writeError(w, r, err)
		return
	}
	deleted.GetObjectKind().SetGroupVersionKind(h.res.GroupVersion.WithKind(h.res.Kind + "List"))
	format, ok := negotiateOutput(r)
	if !ok {
		writeError(w, r, notAcceptable())
		return
	}
	writeObjectWithFormat(w, http.StatusOK, format, deleted)
}
