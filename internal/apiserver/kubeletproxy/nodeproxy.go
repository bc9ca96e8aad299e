package kubeletproxy

import (
	"fmt"
	"net/http"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apimachinery/pkg/util/proxy"

	"github.com/hanok-dev/hanok/internal/apiserver"
)

// serveNodeProxy serves /api/v1/nodes/{name}/proxy/{path}, any verb, by
// relaying the request to path on the node's kubelet (/stats/summary,
// /metrics, /pods, /healthz, /logs, ...), query and body included.
func (p *Proxy) serveNodeProxy(w http.ResponseWriter, r *http.Request, info *apiserver.RequestInfo) {
	ctx := r.Context()
	_, name, port, ok := utilnet.SplitSchemeNamePort(info.Name)
	if !ok {
		apiserver.WriteError(w, r, apierrors.NewBadRequest(fmt.Sprintf("invalid node request %q", info.Name)))
		return
	}
	path := proxyPath(r.URL.Path, info.Name)
	opts := &corev1.NodeProxyOptions{Path: path}
	opts.SetGroupVersionKind(nodeProxyOptionsKind)
	if err := p.cfg.Pipeline.AdmitConnect(ctx, info, nodeProxyOptionsKind, opts); err != nil {
		apiserver.WriteError(w, r, err)
		return
	}
	node, err := p.cfg.Node(ctx, name)
	if err != nil {
		apiserver.WriteError(w, r, err)
		return
	}
	loc, err := KubeletURL(node, path, nil)
	if err != nil {
		apiserver.WriteError(w, r, err)
		return
	}
	if port != "" && port != loc.Port() {
		// Upstream relays other node ports without a client certificate;
		// hanok only ever proxies to the kubelet.
		apiserver.WriteError(w, r, apierrors.NewBadRequest(fmt.Sprintf("node %s: only the kubelet's port %s can be proxied to", name, loc.Port())))
		return
	}
	relay := proxy.NewUpgradeAwareHandler(loc, p.cfg.Kubelets.Transport(false), false, false, errorResponder{})
	relay.ServeHTTP(w, stripCredentials(r))
}

// proxyPath is what follows /nodes/{name}/proxy in the request path,
// trailing slash kept ("" for the proxy root itself).
func proxyPath(urlPath, name string) string {
	marker := "/nodes/" + name + "/proxy"
	i := strings.Index(urlPath, marker)
	if i < 0 {
		return ""
	}
	return urlPath[i+len(marker):]
}
