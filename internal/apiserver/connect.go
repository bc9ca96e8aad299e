package apiserver

import (
	"context"
	"net/http"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// What handlers registered from outside this package (the kubelet proxy,
// the metrics API) need of the pipeline: answering in the negotiated
// format, CONNECT admission, and a second authorization check.

// WriteError answers with a Kubernetes Status for err (a 500 for anything
// that is not an API error), in the format the client asked for.
func WriteError(w http.ResponseWriter, r *http.Request, err error) { writeError(w, r, err) }

// WriteObject encodes obj, whose apiVersion and kind must be set, in the
// format the client asked for (406 if none of them is served).
func WriteObject(w http.ResponseWriter, r *http.Request, code int, obj runtime.Object) {
	format, ok := negotiateOutput(r)
	if !ok {
		writeError(w, r, notAcceptable())
		return
	}
	writeObjectWithFormat(w, code, format, obj)
}

// AdmitConnect runs the admission chain, both phases, on a CONNECT: as
// upstream, pods/exec, pods/attach, pods/portforward and nodes/proxy are
// admitted with the request's options object (PodExecOptions and so on)
// as the object and its kind, so that webhooks registered for CONNECT see
// them; plugins that only judge creates and updates let them through.
func (s *Server) AdmitConnect(ctx context.Context, info *RequestInfo, gvk schema.GroupVersionKind, opts runtime.Object) error {
	chain := s.cfg.Admission
	if chain == nil {
		return nil
	}
	a := &admission.Attributes{
		Operation: admission.Connect, Kind: gvk,
		Resource:    schema.GroupVersionResource{Group: info.APIGroup, Version: info.APIVersion, Resource: info.Resource},
		Subresource: info.Subresource, Namespace: info.Namespace, Name: info.Name,
		Object: opts,
	}
	a.User, _ = authn.UserFrom(ctx)
	admission.CollectWarnings(ctx, a)
	if err := chain.Admit(ctx, a); err != nil {
		return err
	}
	return chain.Validate(ctx, a)
}

// AuthorizeVerb checks that the request's user may also do verb on the
// request's resource: upstream asks for "create" on a WebSocket (GET)
// pods/exec, attach or portforward, which would otherwise need only "get"
// (AuthorizePodWebsocketUpgradeCreatePermission, on by default).
func (s *Server) AuthorizeVerb(ctx context.Context, info *RequestInfo, verb string) error {
	user, ok := authn.UserFrom(ctx)
	if !ok {
		user = authn.AnonymousUser()
	}
	again := *info
	again.Verb = verb
	return s.authorize(ctx, &again, user)
}
