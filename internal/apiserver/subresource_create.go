package apiserver

import (
	"context"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// SubresourceCreate computes the answer to a POST on a subresource from its
// decoded body; obj has passed decoding and field validation, nothing more.
type SubresourceCreate func(ctx context.Context, info *RequestInfo, obj runtime.Object) (runtime.Object, error)

// CreateOnlySubresource serves a create-only subresource whose request and
// answer are one kind (serviceaccounts/token and its TokenRequest) for a
// handler outside this package: it reads the body as gvk with the request's
// field validation, passes it through admission (a create of the
// subresource, as upstream: NodeRestriction limits a kubelet's tokens to
// its own pods), calls create, and writes the answer as 201 Created in the
// negotiated format. Other verbs get 405, as upstream's do.
func (s *Server) CreateOnlySubresource(gvk schema.GroupVersionKind, newObj func() runtime.Object, create SubresourceCreate) SubresourceHandler {
	return func(w http.ResponseWriter, r *http.Request, info *RequestInfo) {
		if info.Verb != "create" {
			gr := schema.GroupResource{Group: info.APIGroup, Resource: info.Resource + "/" + info.Subresource}
			writeError(w, r, apierrors.NewMethodNotSupported(gr, info.Verb))
			return
		}
		opts, body, err := readWrite(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		obj := newObj()
		warnings, err := decodeObject(r, body, gvk, obj, opts.validation)
		if err != nil {
			writeError(w, r, err)
			return
		}
		if err := s.admitSubresourceCreate(r.Context(), info, gvk, obj, opts.dryRun); err != nil {
			writeError(w, r, err)
			return
		}
		out, err := create(r.Context(), info, obj)
		if err != nil {
			writeError(w, r, err)
			return
		}
		format, ok := negotiateOutput(r)
		if !ok {
			writeError(w, r, notAcceptable())
			return
		}
		warn(w, warnings)
		out.GetObjectKind().SetGroupVersionKind(gvk)
		writeObjectWithFormat(w, http.StatusCreated, format, out)
	}
}

// admitSubresourceCreate runs the admission chain, both phases, on a POST
// to a subresource that is not a write of its parent (pods/eviction,
// serviceaccounts/token): the attributes name the parent resource and the
// subresource, with the posted object (an Eviction, a TokenRequest).
func (s *Server) admitSubresourceCreate(ctx context.Context, info *RequestInfo, gvk schema.GroupVersionKind, obj runtime.Object, dry bool) error {
	chain := s.cfg.Admission
	if chain == nil {
		return nil
	}
	a := &admission.Attributes{
		Operation: admission.Create, Kind: gvk,
		Resource:    schema.GroupVersionResource{Group: info.APIGroup, Version: info.APIVersion, Resource: info.Resource},
		Subresource: info.Subresource, Namespace: info.Namespace, Name: info.Name,
		Object: obj, DryRun: dry,
	}
	a.User, _ = authn.UserFrom(ctx)
	admission.CollectWarnings(ctx, a)
	if err := chain.Admit(ctx, a); err != nil {
		return err
	}
	return chain.Validate(ctx, a)
}
