package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"k8s.io/apimachinery/pkg/util/proxy"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// exec serves /exec/{namespace}/{pod}[/{uid}]/{container}: CRI Exec gives a
// one-time URL on the runtime's streaming server, and the client's upgrade
// request (SPDY or WebSocket) is proxied to it both ways.
func (s *server) exec(w http.ResponseWriter, r *http.Request) {
	id, ok := s.lookupContainer(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	opts, err := parseStreamOptions(q)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	cmd := q["command"]
	if len(cmd) == 0 {
		http.Error(w, "missing command", http.StatusBadRequest)
		return
	}
	resp, err := s.cfg.Runtime.Exec(r.Context(), &runtimeapi.ExecRequest{
		ContainerId: id, Cmd: cmd, Tty: opts.tty, Stdin: opts.stdin, Stdout: opts.stdout, Stderr: opts.stderr,
	})
	if err != nil {
		http.Error(w, fmt.Sprintf("exec in container: %v", err), criErrorStatus(err))
		return
	}
	s.proxyStream(w, r, resp.GetUrl())
}

// attach serves /attach/{namespace}/{pod}[/{uid}]/{container}.
func (s *server) attach(w http.ResponseWriter, r *http.Request) {
	id, ok := s.lookupContainer(w, r)
	if !ok {
		return
	}
	opts, err := parseStreamOptions(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	resp, err := s.cfg.Runtime.Attach(r.Context(), &runtimeapi.AttachRequest{
		ContainerId: id, Stdin: opts.stdin, Tty: opts.tty, Stdout: opts.stdout, Stderr: opts.stderr,
	})
	if err != nil {
		http.Error(w, fmt.Sprintf("attach to container: %v", err), criErrorStatus(err))
		return
	}
	s.proxyStream(w, r, resp.GetUrl())
}

// portForward serves /portForward/{namespace}/{pod}[/{uid}].
func (s *server) portForward(w http.ResponseWriter, r *http.Request) {
	ns, pod := r.PathValue("namespace"), r.PathValue("pod")
	if !s.checkUID(w, ns, pod, r.PathValue("uid")) {
		return
	}
	ports, err := parsePorts(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	sandbox, err := s.cfg.Provider.PodSandboxID(ns, pod)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	resp, err := s.cfg.Runtime.PortForward(r.Context(), &runtimeapi.PortForwardRequest{PodSandboxId: sandbox, Port: ports})
	if err != nil {
		http.Error(w, fmt.Sprintf("port-forward to pod: %v", err), criErrorStatus(err))
		return
	}
	s.proxyStream(w, r, resp.GetUrl())
}

// run serves POST /run/{namespace}/{pod}[/{uid}]/{container}?cmd=...: a
// command run to completion, its output in the body.
func (s *server) run(w http.ResponseWriter, r *http.Request) {
	id, ok := s.lookupContainer(w, r)
	if !ok {
		return
	}
	cmd := strings.Fields(r.URL.Query().Get("cmd"))
	if len(cmd) == 0 {
		http.Error(w, "missing cmd", http.StatusBadRequest)
		return
	}
	stdout, stderr, err := s.cfg.Runtime.ExecSync(r.Context(), id, cmd, 0)
	if err != nil {
		http.Error(w, fmt.Sprintf("run in container: %v\n%s%s", err, stdout, stderr), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write(append(stdout, stderr...))
}

// lookupContainer resolves the request's pod and container to the running
// container's ID, answering 404 itself when there is none.
func (s *server) lookupContainer(w http.ResponseWriter, r *http.Request) (string, bool) {
	ns, pod, container := r.PathValue("namespace"), r.PathValue("pod"), r.PathValue("container")
	if !s.checkUID(w, ns, pod, r.PathValue("uid")) {
		return "", false
	}
	id, err := s.cfg.Provider.ContainerID(ns, pod, container)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return "", false
	}
	return id, true
}

// checkUID refuses a request that names a pod UID (the API server's form
// when it knows it) other than the pod's on this node: the pod was
// replaced by a namesake.
func (s *server) checkUID(w http.ResponseWriter, ns, pod, uid string) bool {
	if uid == "" {
		return true
	}
	for _, p := range s.cfg.Provider.Pods() {
		if p != nil && p.Namespace == ns && p.Name == pod {
			if string(p.UID) == uid {
				return true
			}
			break
		}
	}
	http.Error(w, fmt.Sprintf("pod %s/%s with UID %s not found", ns, pod, uid), http.StatusNotFound)
	return false
}

// proxyStream hands the client's upgrade request to the runtime's
// streaming server and pipes the connection both ways until either side
// closes it.
func (s *server) proxyStream(w http.ResponseWriter, r *http.Request, streamURL string) {
	u, err := url.Parse(streamURL)
	if err != nil {
		http.Error(w, fmt.Sprintf("runtime returned a bad stream URL %q: %v", streamURL, err), http.StatusInternalServerError)
		return
	}
	h := proxy.NewUpgradeAwareHandler(u, nil /*transport*/, false /*wrapTransport*/, true /*upgradeRequired*/, streamErrorResponder{s})
	h.ServeHTTP(w, r)
}

type streamErrorResponder struct{ s *server }

func (e streamErrorResponder) Error(w http.ResponseWriter, r *http.Request, err error) {
	e.s.log.WithError(err).WithField("path", r.URL.Path).Debug("stream proxy")
	http.Error(w, err.Error(), http.StatusInternalServerError)
}
