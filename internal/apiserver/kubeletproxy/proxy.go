package kubeletproxy

import (
	"context"
	"net/http"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/hanok-dev/hanok/internal/apiserver"
)

// Pipeline is what the handlers need of the API server beyond the
// authorization already done: CONNECT admission, and the extra "create"
// check upstream makes of a WebSocket exec, attach or port-forward.
// *apiserver.Server implements it.
type Pipeline interface {
	AdmitConnect(ctx context.Context, info *apiserver.RequestInfo, gvk schema.GroupVersionKind, opts runtime.Object) error
	AuthorizeVerb(ctx context.Context, info *apiserver.RequestInfo, verb string) error
}

// Config is what a Proxy reads and dials with.
type Config struct {
	// Pod and Node read objects as fresh as a client's read (the control
	// plane's loopback client): a pod's logs are asked for right after it
	// started.
	Pod  func(ctx context.Context, namespace, name string) (*corev1.Pod, error)
	Node func(ctx context.Context, name string) (*corev1.Node, error)
	// Kubelets dials the kubelets.
	Kubelets *Client
	Pipeline Pipeline
}

// Proxy serves the kubelet-backed subresources.
type Proxy struct{ cfg Config }

// New returns a Proxy over cfg.
func New(cfg Config) *Proxy { return &Proxy{cfg: cfg} }

// Install registers the subresources on api: pods/log, pods/exec,
// pods/attach, pods/portforward and nodes/proxy.
func (p *Proxy) Install(api *apiserver.Server) {
	api.HandleSubresource("", "pods", "log", p.serveLog)
	api.HandleSubresource("", "pods", "exec", p.serveExec)
	api.HandleSubresource("", "pods", "attach", p.serveAttach)
	api.HandleSubresource("", "pods", "portforward", p.servePortForward)
	api.HandleSubresource("", "nodes", "proxy", p.serveNodeProxy)
}

var (
	podsResource  = corev1.Resource("pods")
	nodesResource = corev1.Resource("nodes")
)

// errorResponder answers UpgradeAwareHandler's failures (the kubelet could
// not be dialled) with a Status, as upstream's proxy responder does.
type errorResponder struct{}

func (errorResponder) Error(w http.ResponseWriter, r *http.Request, err error) {
	apiserver.WriteError(w, r, err)
}

// podAndNode reads the pod and the node it runs on; a pod that is not
// scheduled yet has no kubelet to ask (400, as upstream).
func (p *Proxy) podAndNode(ctx context.Context, namespace, name string) (*corev1.Pod, *corev1.Node, error) {
	pod, err := p.cfg.Pod(ctx, namespace, name)
	if err != nil {
		return nil, nil, err
	}
	if pod.Spec.NodeName == "" {
		return pod, nil, nil
	}
	node, err := p.cfg.Node(ctx, pod.Spec.NodeName)
	if err != nil {
		return nil, nil, err
	}
	return pod, node, nil
}

// methodNotAllowed is upstream's 405 for a verb a subresource does not serve.
func methodNotAllowed(info *apiserver.RequestInfo) error {
	return apierrors.NewMethodNotSupported(schema.GroupResource{Group: info.APIGroup, Resource: info.Resource + "/" + info.Subresource}, info.Verb)
}

// stripCredentials drops what authenticated the client to us before a
// request goes on to a kubelet: the kubelet knows the API server by its
// own certificate, and must never see a user's token (upstream's
// authentication filter removes the header once it is used).
func stripCredentials(r *http.Request) *http.Request {
	r2 := r.Clone(r.Context())
	r2.Header.Del("Authorization")
	for k := range r2.Header {
		if len(k) >= len("Impersonate-") && http.CanonicalHeaderKey(k[:len("Impersonate-")]) == "Impersonate-" {
			r2.Header.Del(k)
		}
	}
	return r2
}
