package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// containerLogs serves GET /containerLogs/{namespace}/{pod}/{container},
// the target of the API server's pods/log.
func (s *server) containerLogs(w http.ResponseWriter, r *http.Request) {
	ns, pod, container := r.PathValue("namespace"), r.PathValue("pod"), r.PathValue("container")
	opts, err := parseLogOptions(r.URL.Query(), time.Now())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	path, err := s.cfg.Provider.ContainerLogPath(ns, pod, container, opts.previous)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			http.Error(w, fmt.Sprintf("no logs for container %q in pod %s/%s yet", container, ns, pod), http.StatusNotFound)
			return
		}
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var alive func() bool
	if opts.follow && !opts.previous {
		alive = s.containerAlive(r.Context(), ns, pod, container)
	} else {
		opts.follow = false // a previous container writes no more
	}

	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	flush := func() {
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
	}
	flush()
	if err := readLogs(r.Context(), f, path, opts, w, flush, alive); err != nil && r.Context().Err() == nil {
		s.log.WithError(err).WithField("pod", ns+"/"+pod).Debug("reading container log")
	}
}

// containerAlive returns a check of whether the container being followed
// still runs, so a follow ends when the container does.
func (s *server) containerAlive(ctx context.Context, ns, pod, container string) func() bool {
	id, err := s.cfg.Provider.ContainerID(ns, pod, container)
	if err != nil || s.cfg.Runtime == nil {
		return nil
	}
	return func() bool {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		st, err := s.cfg.Runtime.ContainerStatus(cctx, id, false)
		if err != nil {
			return ctx.Err() != nil || !isNotFound(err)
		}
		if st.GetStatus() == nil {
			return false
		}
		state := st.GetStatus().GetState()
		return state == runtimeapi.ContainerState_CONTAINER_RUNNING || state == runtimeapi.ContainerState_CONTAINER_CREATED
	}
}
