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

// AddStartHook registers a hook for Bootstrap to run, in the order added,
// before the server writes any object of its own: where informers that
// admission plugins read are started and synced, so the server's first
// writes already pass the whole chain.
func (s *Server) AddStartHook(name string, hook PostStartHook) {
	s.startHooks = append(s.startHooks, postStartHook{name: name, run: hook})
}

// AddPostStartHook registers a hook for Bootstrap to run, in the order
// added, after the system namespaces exist. The server is not ready (/readyz)
// until every hook has returned, so a hook is where start-up waits for
// anything the server must not answer without.
func (s *Server) AddPostStartHook(name string, hook PostStartHook) {
	s.postStartHooks = append(s.postStartHooks, postStartHook{name: name, run: hook})
}

func runHooks(ctx context.Context, kind string, hooks []postStartHook) error {
	for _, h := range hooks {
		if err := h.run(ctx); err != nil {
			return fmt.Errorf("%s hook %s: %w", kind, h.name, err)
		}
	}
	return nil
}
