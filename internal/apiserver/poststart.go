package apiserver

import (
	"context"
	"fmt"
)

// PostStartHook is start-up work that needs the server already serving,
// because it talks to the server through its own loopback client: starting
// the authorizers' informers and reconciling the bootstrap RBAC policy, as
// upstream's post-start hooks do. It must return once its work is done;
// what it starts keeps running on its own context.
type PostStartHook func(ctx context.Context) error

type postStartHook struct {
	name string
	run  PostStartHook
}

// AddPostStartHook registers a hook for Bootstrap to run, in the order
// added, after the system namespaces exist. The server is not ready (/readyz)
// until every hook has returned, so a hook is where start-up waits for
// anything the server must not answer without.
func (s *Server) AddPostStartHook(name string, hook PostStartHook) {
	s.postStartHooks = append(s.postStartHooks, postStartHook{name: name, run: hook})
}

func (s *Server) runPostStartHooks(ctx context.Context) error {
	for _, h := range s.postStartHooks {
		if err := h.run(ctx); err != nil {
			return fmt.Errorf("post-start hook %s: %w", h.name, err)
		}
	}
	return nil
}
