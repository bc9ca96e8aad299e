package kubeletproxy

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/proxy"
	translator "k8s.io/apiserver/pkg/util/proxy"
	"k8s.io/streaming/pkg/httpstream/wsstream"

	"github.com/hanok-dev/hanok/internal/apiserver"
)

// extendWebSocketsToKubelet is the feature a node declares (in
// status.declaredFeatures) when its kubelet serves WebSocket exec, attach
// and port-forward itself; other kubelets get SPDY, translated here.
const extendWebSocketsToKubelet = "ExtendWebSocketsToKubelet"

// streamRequest is one exec, attach or port-forward, read from the query.
type streamRequest struct {
	kind      schemaKind
	opts      runtime.Object
	container string // "" for port-forward
	query     url.Values
	streams   translator.Options
}

type schemaKind struct {
	subresource string // also the kubelet path: exec, attach, portForward
	needsTarget bool   // names a container
	gvk         schema.GroupVersionKind
}

func (p *Proxy) serveExec(w http.ResponseWriter, r *http.Request, info *apiserver.RequestInfo) {
	o := ParseExecOptions(r.URL.Query())
	p.serveStream(w, r, info, streamRequest{
		kind: schemaKind{"exec", true, podExecOptionsKind}, opts: o, container: o.Container,
		query:   StreamQuery(o.Stdin, o.Stdout, o.Stderr, o.TTY, o.Command),
		streams: translator.Options{Stdin: o.Stdin, Stdout: o.Stdout, Stderr: o.Stderr, Tty: o.TTY},
	})
}

func (p *Proxy) serveAttach(w http.ResponseWriter, r *http.Request, info *apiserver.RequestInfo) {
	o := ParseAttachOptions(r.URL.Query())
	p.serveStream(w, r, info, streamRequest{
		kind: schemaKind{"attach", true, podAttachOptionsKind}, opts: o, container: o.Container,
		query:   StreamQuery(o.Stdin, o.Stdout, o.Stderr, o.TTY, nil),
		streams: translator.Options{Stdin: o.Stdin, Stdout: o.Stdout, Stderr: o.Stderr, Tty: o.TTY},
	})
}

func (p *Proxy) servePortForward(w http.ResponseWriter, r *http.Request, info *apiserver.RequestInfo) {
	o, err := ParsePortForwardOptions(r.URL.Query())
	if err != nil {
		apiserver.WriteError(w, r, apierrors.NewBadRequest(err.Error()))
		return
	}
	p.serveStream(w, r, info, streamRequest{kind: schemaKind{"portForward", false, podPortForwardOptionsKind}, opts: o, query: PortForwardQuery(o)})
}

// serveStream relays an exec, attach or port-forward upgrade to the
// pod's kubelet. GET (WebSockets) and POST (SPDY) are both served, as
// upstream: a GET also needs "create" on the subresource.
func (p *Proxy) serveStream(w http.ResponseWriter, r *http.Request, info *apiserver.RequestInfo, s streamRequest) {
	ctx := r.Context()
	if info.Verb != "get" && info.Verb != "create" {
		apiserver.WriteError(w, r, methodNotAllowed(info))
		return
	}
	if info.Verb == "get" {
		if err := p.cfg.Pipeline.AuthorizeVerb(ctx, info, "create"); err != nil {
			apiserver.WriteError(w, r, err)
			return
		}
	}
	s.opts.GetObjectKind().SetGroupVersionKind(s.kind.gvk)
	if err := p.cfg.Pipeline.AdmitConnect(ctx, info, s.kind.gvk, s.opts); err != nil {
		apiserver.WriteError(w, r, err)
		return
	}
	pod, node, err := p.podAndNode(ctx, info.Namespace, info.Name)
	if err != nil {
		apiserver.WriteError(w, r, err)
		return
	}
	path := fmt.Sprintf("/%s/%s/%s", s.kind.subresource, pod.Namespace, pod.Name)
	if s.kind.needsTarget {
		container, err := ContainerFor(pod, s.container)
		if err != nil {
			apiserver.WriteError(w, r, err)
			return
		}
		path += "/" + container
	}
	if node == nil {
		apiserver.WriteError(w, r, apierrors.NewBadRequest(fmt.Sprintf("pod %s does not have a host assigned", pod.Name)))
		return
	}
	loc, err := KubeletURL(node, path, s.query)
	if err != nil {
		apiserver.WriteError(w, r, err)
		return
	}
	p.upgradeHandler(loc, node, s).ServeHTTP(w, stripCredentials(r))
}

// upgradeHandler relays the upgrade as is (SPDY, or a WebSocket to a
// kubelet that declares it speaks them), or translates a WebSocket
// exec/attach (v5.channel.k8s.io) or port-forward (tunnelled SPDY) into
// SPDY towards the kubelet, as upstream does. A WebSocket asking for an
// older channel protocol is relayed, and answered by the kubelet.
func (p *Proxy) upgradeHandler(loc *url.URL, node *corev1.Node, s streamRequest) http.Handler {
	transport := p.cfg.Kubelets.Transport(false)
	relay := proxy.NewUpgradeAwareHandler(loc, transport, false, true, errorResponder{})
	if slices.Contains(node.Status.DeclaredFeatures, extendWebSocketsToKubelet) {
		return relay
	}
	if s.kind.subresource == "portForward" {
		return translator.NewTranslatingHandler(relay, translator.NewTunnelingHandler(relay), wsstream.IsWebSocketRequestWithTunnelingProtocol)
	}
	streams := translator.NewStreamTranslatorHandler(loc, transport, 0, s.streams)
	return translator.NewTranslatingHandler(relay, streams, wsstream.IsWebSocketRequestWithStreamCloseProtocol)
}
