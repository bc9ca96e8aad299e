package kubeletproxy

import (
	"fmt"
	"io"
	"net/http"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/streaming/pkg/httpstream/wsstream"

	"github.com/hanok-dev/hanok/internal/apiserver"
)

var podLogOptionsKind = schema.GroupKind{Kind: "PodLogOptions"}

// serveLog serves GET pods/{name}/log: options checked, the container
// picked, then the kubelet's /containerLogs streamed through as text.
func (p *Proxy) serveLog(w http.ResponseWriter, r *http.Request, info *apiserver.RequestInfo) {
	if info.Verb != "get" {
		apiserver.WriteError(w, r, methodNotAllowed(info))
		return
	}
	opts, err := ParseLogOptions(r.URL.Query())
	if err != nil {
		apiserver.WriteError(w, r, apierrors.NewBadRequest(err.Error()))
		return
	}
	if errs := ValidateLogOptions(opts); len(errs) > 0 {
		apiserver.WriteError(w, r, apierrors.NewInvalid(podLogOptionsKind, info.Name, errs))
		return
	}
	pod, node, err := p.podAndNode(r.Context(), info.Namespace, info.Name)
	if err != nil {
		apiserver.WriteError(w, r, err)
		return
	}
	container, err := ContainerFor(pod, opts.Container)
	if err != nil {
		apiserver.WriteError(w, r, err)
		return
	}
	if node == nil {
		// Not scheduled: no logs anywhere yet. Upstream answers 204.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	path := fmt.Sprintf("/containerLogs/%s/%s/%s", pod.Namespace, pod.Name, container)
	resp, err := p.cfg.Kubelets.Get(r.Context(), node, path, LogQuery(opts), opts.InsecureSkipTLSVerifyBackend,
		schema.GroupResource{Resource: "pods/log"}, info.Name)
	if err != nil {
		apiserver.WriteError(w, r, err)
		return
	}
	defer resp.Body.Close()
	if wsstream.IsWebSocketRequest(r) {
		// Browsers and older clients read logs over a WebSocket.
		_ = wsstream.NewReader(resp.Body, true, wsstream.NewDefaultReaderProtocols()).Copy(w, r)
		return
	}
	streamText(w, resp.Body, opts.Follow)
}

// streamText copies a log to the client as text/plain, flushing after
// every write when following so lines show up as the container writes
// them.
func streamText(w http.ResponseWriter, body io.Reader, follow bool) {
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	var out io.Writer = w
	if follow {
		out = &flushWriter{w: w, rc: rc}
	}
	_, _ = io.Copy(out, body)
}

type flushWriter struct {
	w  io.Writer
	rc *http.ResponseController
}

func (f *flushWriter) Write(b []byte) (int, error) {
	n, err := f.w.Write(b)
	if err == nil {
		err = f.rc.Flush()
	}
	return n, err
}

// Kind of the options objects CONNECT admission sees.
var (
	podExecOptionsKind        = corev1.SchemeGroupVersion.WithKind("PodExecOptions")
	podAttachOptionsKind      = corev1.SchemeGroupVersion.WithKind("PodAttachOptions")
	podPortForwardOptionsKind = corev1.SchemeGroupVersion.WithKind("PodPortForwardOptions")
	nodeProxyOptionsKind      = corev1.SchemeGroupVersion.WithKind("NodeProxyOptions")
)
