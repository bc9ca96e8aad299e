package testserver

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// Shared is one test server shared by a package's tests: the first test
// that asks starts it (so unit-test-only runs pay nothing), the package's
// TestMain stops it. Tests isolate themselves by namespace and names.
type Shared struct {
	once   sync.Once
	server *Server
	err    error
}

// Get returns the shared server, starting it on first use. Integration
// tests are skipped with -short.
func (sh *Shared) Get(t testing.TB) *Server {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: skipped with -short")
	}
	sh.once.Do(func() {
		begin := time.Now()
		sh.server, sh.err = New()
		fmt.Fprintf(os.Stderr, "shared test server started in %v\n", time.Since(begin).Round(time.Millisecond))
	})
	if sh.err != nil {
		t.Fatalf("starting the shared test server: %v", sh.err)
	}
	return sh.server
}

// Stop stops the server if it was started.
func (sh *Shared) Stop() {
	if sh.server != nil {
		sh.server.Stop()
	}
}

// Context is a context for one test's requests, ended with the test.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
