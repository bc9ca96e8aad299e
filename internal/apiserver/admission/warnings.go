package admission

import (
	"context"
	"sync"
)

// warningsMu guards every Attributes' warnings. One lock for all requests
// rather than one per Attributes: warnings are rare, the lock is held for
// an append, and a lock-free struct stays safe to copy and to build with a
// literal, as the handler and tests do. A lock at all because validating
// webhooks may run in parallel and each may warn.
var warningsMu sync.Mutex

// AddWarning records a warning for the client, as upstream's
// warning.AddWarning: the write goes on, and the response carries a
// `Warning: 299 - "text"` header. Empty and repeated texts are dropped.
// Safe for concurrent use.
func (a *Attributes) AddWarning(text string) {
	if a == nil || text == "" {
		return
	}
	warningsMu.Lock()
	defer warningsMu.Unlock()
	for _, w := range a.warnings {
		if w == text {
			return
		}
	}
	a.warnings = append(a.warnings, text)
}

// Warnings returns the warnings added so far, in order, for the handler to
// send; nil when there are none.
func (a *Attributes) Warnings() []string {
	if a == nil {
		return nil
	}
	warningsMu.Lock()
	defer warningsMu.Unlock()
	if len(a.warnings) == 0 {
		return nil
	}
	return append([]string(nil), a.warnings...)
}

// The handler builds Attributes deep in its create, update and delete
// paths, far from the ResponseWriter; a collector in the request's
// context joins the two without threading Attributes back up:
//
//	ctx, warnings := admission.WithWarnings(r.Context()) // in the handler
//	admission.CollectWarnings(ctx, attrs)               // where attrs are built
//	warn(w, warnings())                                  // when answering
//
// or, where only the request is at hand, admission.WarningsFrom(r.Context()).

type collectorKey struct{}

type collector struct {
	mu    sync.Mutex
	attrs []*Attributes
}

// WithWarnings returns a context whose admissions' warnings (registered
// with CollectWarnings) the returned func lists, in order, without
// repeats.
func WithWarnings(ctx context.Context) (context.Context, func() []string) {
	c := &collector{}
	return context.WithValue(ctx, collectorKey{}, c), c.warnings
}

// WarningsFrom lists the warnings collected in ctx (see WithWarnings), for
// code that answers the request holding only its context; nil without a
// collector.
func WarningsFrom(ctx context.Context) []string {
	if c, ok := ctx.Value(collectorKey{}).(*collector); ok {
		return c.warnings()
	}
	return nil
}

// CollectWarnings registers a with the collector in ctx, if any.
func CollectWarnings(ctx context.Context, a *Attributes) {
	if c, ok := ctx.Value(collectorKey{}).(*collector); ok && a != nil {
		c.mu.Lock()
		c.attrs = append(c.attrs, a)
		c.mu.Unlock()
	}
}

func (c *collector) warnings() []string {
	c.mu.Lock()
	attrs := append([]*Attributes(nil), c.attrs...)
	c.mu.Unlock()
	var out []string
	seen := map[string]bool{}
	for _, a := range attrs {
		for _, w := range a.Warnings() {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}
