package apiserver

import (
	"context"
	"net/http"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/apimachinery/pkg/util/uuid"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// writeOptions are what every write request may say besides the object.
type writeOptions struct {
	dryRun     bool
	manager    string
	validation string
	// skipTracking: managedFields were already computed (server-side apply).
	skipTracking bool
}

func writeOptionsFrom(r *http.Request) (writeOptions, error) {
	dry, err := dryRun(r)
	if err != nil {
		return writeOptions{}, err
	}
	v, err := fieldValidation(r)
	if err != nil {
		return writeOptions{}, err
	}
	return writeOptions{dryRun: dry, manager: managerName(r), validation: v}, nil
}

// readWrite reads what every write request carries: its options and body.
func readWrite(r *http.Request) (writeOptions, []byte, error) {
	opts, err := writeOptionsFrom(r)
	if err != nil {
		return opts, nil, err
	}
	body, err := readBody(r)
	return opts, body, err
}

// decodeWrite reads a create or update request: options, and the body
// decoded into the resource's type with field validation.
func (h *resourceHandler) decodeWrite(r *http.Request) (writeOptions, runtime.Object, []string, error) {
	opts, body, err := readWrite(r)
	if err != nil {
		return opts, nil, nil, err
	}
	obj := h.res.New()
	warnings, err := decodeObject(r, body, h.res.GroupVersionKind(), obj, opts.validation)
	return opts, obj, warnings, err
}

// create serves POST to a collection.
func (h *resourceHandler) create(w http.ResponseWriter, r *http.Request, info *RequestInfo) {
	opts, obj, warnings, err := h.decodeWrite(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	out, err := h.createObject(r.Context(), h.namespaceOf(info), obj, opts)
	if err != nil {
		writeError(w, r, err)
		return
	}
	warn(w, warnings)
	h.writeObject(w, r, http.StatusCreated, out)
}

// createObject runs the create pipeline for a decoded object: metadata,
// strategy defaults, admission, validation, side effects, store.
func (h *resourceHandler) createObject(ctx context.Context, namespace string, obj runtime.Object, opts writeOptions) (runtime.Object, error) {
	m, err := meta.Accessor(obj)
	if err != nil {
		return nil, err
	}
	if h.res.Namespaced {
		if m.GetNamespace() != "" && m.GetNamespace() != namespace {
			return nil, badRequest("the namespace of the provided object does not match the namespace sent on the request")
		}
		m.SetNamespace(namespace)
	} else {
		m.SetNamespace("")
	}
	generated := m.GetName() == "" && m.GetGenerateName() != ""
	if generated {
		m.SetName(m.GetGenerateName() + utilrand.String(5))
	}
	m.SetUID(types.UID(uuid.NewUUID()))
	m.SetCreationTimestamp(metav1.NewTime(time.Now().Truncate(time.Second)))
	m.SetResourceVersion("")
	m.SetDeletionTimestamp(nil)
	m.SetDeletionGracePeriodSeconds(nil)
	m.SetSelfLink("")

	h.res.Strategy.PrepareForCreate(ctx, obj)
	h.res.Strategy.Default(obj)
	attrs := h.admissionAttributes(ctx, admission.Create, obj, nil, "", opts.dryRun)
	if err := h.admit(ctx, attrs, obj, ""); err != nil {
		return nil, err
	}
	if errs := h.res.Strategy.Validate(ctx, obj); len(errs) > 0 {
		return nil, apierrors.NewInvalid(h.res.GroupVersionKind().GroupKind(), m.GetName(), errs)
	}
	if err := h.server.cfg.Admission.Validate(ctx, attrs); err != nil {
		return nil, err
	}
	if !opts.skipTracking {
		obj = h.trackUpdate("", h.res.New(), obj, opts.manager)
	}

	release, err := h.server.beforeCreate(ctx, h.res, obj, opts.dryRun)
	if err != nil {
		return nil, err
	}
	if opts.dryRun {
		release()
		return obj, nil
	}
	out := h.res.New()
	if err := h.store.Create(ctx, h.key(namespace, m.GetName()), obj, out); err != nil {
		release()
		if generated && apierrors.IsAlreadyExists(err) {
			return nil, apierrors.NewServerTimeoutForKind(h.res.GroupVersionKind().GroupKind(), "create", 1)
		}
		return nil, err
	}
	return out, nil
}

// admissionAttributes describes a write to the admission chain.
func (h *resourceHandler) admissionAttributes(ctx context.Context, op admission.Operation, obj, old runtime.Object, subresource string, dry bool) *admission.Attributes {
	a := &admission.Attributes{
		Operation: op, Kind: h.res.GroupVersionKind(), Resource: h.res.GroupVersionResource(),
		Subresource: subresource, Object: obj, OldObject: old, DryRun: dry,
	}
	src := obj
	if src == nil {
		src = old
	}
	if m, err := meta.Accessor(src); err == nil {
		a.Namespace, a.Name = m.GetNamespace(), m.GetName()
	}
	a.User, _ = authn.UserFrom(ctx)
	admission.CollectWarnings(ctx, a)
	return a
}

// admit runs the mutating plugins on a write, then the strategy's defaults
// again on a main-resource write: a plugin or webhook may set a field that
// others are defaulted from (ServiceAccount sets serviceAccountName, which
// the deprecated serviceAccount mirrors), as upstream re-defaults after a
// webhook's patch. Defaults only fill what is unset, so this is cheap and
// changes nothing the client or a plugin chose.
func (h *resourceHandler) admit(ctx context.Context, attrs *admission.Attributes, obj runtime.Object, subresource string) error {
	if err := h.server.cfg.Admission.Admit(ctx, attrs); err != nil {
		return err
	}
	if subresource == "" {
		h.res.Strategy.Default(obj)
	}
	return nil
}
