package apiserver

import (
	"context"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// SubresourceCreate computes the answer to a POST on a subresource from its
// decoded body; obj has passed decoding and field validation, nothing more.
type SubresourceCreate func(ctx context.Context, info *RequestInfo, obj runtime.Object) (runtime.Object, error)

// CreateOnlySubresource serves a create-only subresource whose request and
// answer are one kind (serviceaccounts/token and its TokenRequest) for a
// handler outside this package: it reads the body as gvk with the request's
// field validation, calls create, and writes the answer as 201 Created in
// the negotiated format. Other verbs get 405, as upstream's do.
func CreateOnlySubresource(gvk schema.GroupVersionKind, newObj func() runtime.Object, create SubresourceCreate) SubresourceHandler {
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
