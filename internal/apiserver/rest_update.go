package apiserver

import (
	"context"
	"errors"
	"net/http"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/storage"
)

// update serves PUT of an object or its status (or a namespace's finalize).
func (h *resourceHandler) update(w http.ResponseWriter, r *http.Request, info *RequestInfo) {
	if info.Name == "" { // PUT to a collection
		writeError(w, r, apierrors.NewMethodNotSupported(h.groupResource(), "update"))
		return
	}
	opts, obj, warnings, err := h.decodeWrite(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	m, err := meta.Accessor(obj)
	if err != nil {
		writeError(w, r, err)
		return
	}
	if m.GetName() != info.Name {
		writeError(w, r, badRequest("the name of the object (%s) does not match the name on the URL (%s)", m.GetName(), info.Name))
		return
	}
	ns := h.namespaceOf(info)
	if h.res.Namespaced && m.GetNamespace() != "" && m.GetNamespace() != ns {
		writeError(w, r, badRequest("the namespace of the provided object does not match the namespace sent on the request"))
		return
	}
	out, err := h.updateObject(r.Context(), ns, info.Name, info.Subresource, opts,
		func(_ runtime.Object) (runtime.Object, error) { return obj.DeepCopyObject(), nil })
	if err != nil {
		writeError(w, r, err)
		return
	}
	warn(w, warnings)
	h.writeObject(w, r, http.StatusOK, out)
}

// transformFunc computes the object a client wants from the stored one: the
// decoded body for PUT, the patched object for PATCH.
type transformFunc func(current runtime.Object) (runtime.Object, error)

// dryRunResult carries a dry-run's would-be object out of the store's update
// loop without writing.
type dryRunResult struct{ obj runtime.Object }

func (dryRunResult) Error() string { return "dry run" }

// updateObject runs the update pipeline inside the store's optimistic
// concurrency loop: transform, keep server-owned metadata, strategy
// (status/spec split, generation), defaults, admission, validation,
// managedFields. A client-sent resourceVersion that is not the stored one is
// a 409 Conflict and changes nothing.
func (h *resourceHandler) updateObject(ctx context.Context, ns, name, subresource string, opts writeOptions, transform transformFunc) (runtime.Object, error) {
	out := h.res.New()
	alloc := h.server.newServiceUpdate()
	var deletingNow bool // the stored object was being deleted without grace
	err := h.store.GuaranteedUpdate(ctx, h.key(ns, name), out, false, nil, func(current runtime.Object) (runtime.Object, error) {
		deletingNow = deletingWithoutGrace(current)
		obj, err := transform(current.DeepCopyObject())
		if err != nil {
			return nil, err
		}
		return h.prepareUpdate(ctx, obj, current, subresource, opts, alloc)
	})
	var dry dryRunResult
	if errors.As(err, &dry) {
		alloc.rollback()
		return dry.obj, nil
	}
	if err != nil {
		alloc.rollback()
		return nil, err
	}
	if svc, ok := out.(*corev1.Service); ok {
		alloc.commit(ctx, svc)
	}
	if !deletingNow {
		return out, nil
	}
	return h.finishIfFinalized(ctx, ns, name, out)
}

// deletingWithoutGrace says whether obj's deletion only waits on finalizers:
// then an update that removes the last one ends it, as upstream's
// ShouldDeleteDuringUpdate. A graceful deletion (a pod's grace period) ends
// with the kubelet's own delete instead, so its status updates never
// delete it.
func deletingWithoutGrace(obj runtime.Object) bool {
	m, err := meta.Accessor(obj)
	if err != nil || m.GetDeletionTimestamp() == nil {
		return false
	}
	g := m.GetDeletionGracePeriodSeconds()
	return g == nil || *g == 0
}

// prepareUpdate turns the client's object into the one to store.
// alloc tracks what a Service update takes from the allocators.
func (h *resourceHandler) prepareUpdate(ctx context.Context, obj, current runtime.Object, subresource string, opts writeOptions, alloc *serviceUpdate) (runtime.Object, error) {
	m, err := meta.Accessor(obj)
	if err != nil {
		return nil, err
	}
	cm, err := meta.Accessor(current)
	if err != nil {
		return nil, err
	}
	// Server-owned metadata is never taken from the client.
	if m.GetResourceVersion() == "" {
		m.SetResourceVersion(cm.GetResourceVersion())
	}
	// A stale write is a conflict before anything else, as upstream: a
	// client's retry-on-conflict loop must see 409, not a validation error
	// that only the stale object earns. current is read fresh from etcd.
	if m.GetResourceVersion() != cm.GetResourceVersion() {
		return nil, apierrors.NewConflict(h.groupResource(), cm.GetName(), errors.New(storage.OptimisticLockErrorMsg))
	}
	if m.GetUID() != "" && m.GetUID() != cm.GetUID() {
		return nil, apierrors.NewConflict(h.groupResource(), cm.GetName(),
			errors.New("Precondition failed: UID in precondition: "+string(m.GetUID())+", UID in object meta: "+string(cm.GetUID())))
	}
	m.SetUID(cm.GetUID())
	m.SetName(cm.GetName())
	m.SetNamespace(cm.GetNamespace())
	m.SetCreationTimestamp(cm.GetCreationTimestamp())
	m.SetDeletionTimestamp(cm.GetDeletionTimestamp())
	m.SetDeletionGracePeriodSeconds(cm.GetDeletionGracePeriodSeconds())
	m.SetGeneration(cm.GetGeneration())
	if m.GetManagedFields() == nil {
		m.SetManagedFields(cm.GetManagedFields())
	}

	// The store compares the client's resourceVersion with the stored one;
	// the status and finalize paths copy the stored object, so keep the
	// client's to put back.
	clientRV := m.GetResourceVersion()
	op := admission.Update
	switch subresource {
	case "status":
		// Server-side apply computed managedFields already (skipTracking);
		// the status strategy takes all metadata from the stored object,
		// so carry them over or the applier's ownership is lost.
		applied := m.GetManagedFields()
		if ss, ok := h.res.Strategy.(registry.StatusStrategy); ok {
			ss.PrepareForStatusUpdate(ctx, obj, current)
		}
		m, _ = meta.Accessor(obj)
		m.SetResourceVersion(clientRV)
		if opts.skipTracking {
			m.SetManagedFields(applied)
		}
	case "finalize":
		prepareFinalize(obj, current)
		m, _ = meta.Accessor(obj)
		m.SetResourceVersion(clientRV)
	case "binding":
	default:
		h.res.Strategy.PrepareForUpdate(ctx, obj, current)
		h.res.Strategy.Default(obj)
		if svc, ok := obj.(*corev1.Service); ok {
			if err := alloc.prepare(ctx, svc, current.(*corev1.Service)); err != nil {
				return nil, err
			}
		}
	}
	attrs := h.admissionAttributes(ctx, op, obj, current, subresource, opts.dryRun)
	if err := h.admit(ctx, attrs, obj, subresource); err != nil {
		return nil, err
	}
	var errs field.ErrorList
	switch subresource {
	case "status":
		if ss, ok := h.res.Strategy.(registry.StatusStrategy); ok {
			errs = ss.ValidateStatusUpdate(ctx, obj, current)
		}
	case "binding":
		// The binding handler changed only spec.nodeName and a condition.
	case "finalize":
		errs = validateFinalize(obj, current)
	default:
		errs = h.res.Strategy.ValidateUpdate(ctx, obj, current)
	}
	if len(errs) > 0 {
		return nil, apierrors.NewInvalid(h.res.GroupVersionKind().GroupKind(), m.GetName(), errs)
	}
	if err := h.server.cfg.Admission.Validate(ctx, attrs); err != nil {
		return nil, err
	}
	if !opts.skipTracking {
		obj = h.trackUpdate(subresource, current, obj, opts.manager)
	}
	if opts.dryRun {
		return nil, dryRunResult{obj}
	}
	return obj, nil
}

// finishIfFinalized deletes an object whose deletion was waiting on
// finalizers once the last one is removed.
func (h *resourceHandler) finishIfFinalized(ctx context.Context, ns, name string, obj runtime.Object) (runtime.Object, error) {
	m, err := meta.Accessor(obj)
	if err != nil || m.GetDeletionTimestamp() == nil || len(m.GetFinalizers()) > 0 || !h.readyToRemove(obj) {
		return obj, err
	}
	out := h.res.New()
	rv := m.GetResourceVersion()
	err = h.store.Delete(ctx, h.key(ns, name), out, &storage.Preconditions{ResourceVersion: &rv}, nil)
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return obj, nil // someone else finished or changed it; both are fine
	}
	if err != nil {
		return nil, err
	}
	h.server.afterDelete(ctx, h.res, out)
	return out, nil
}
