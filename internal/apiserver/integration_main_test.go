package apiserver_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/hanok-dev/hanok/internal/testserver"
)

// The integration tests share one API server (started by the first test
// that needs it, so unit-test-only runs pay nothing); each test works in its
// own namespace, or on cluster-scoped objects with unique names. Tests that
// need other server settings start their own with testserver.Start.
var (
	sharedOnce   sync.Once
	sharedServer *testserver.Server
	sharedErr    error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedServer != nil {
		sharedServer.Stop()
	}
	os.Exit(code)
}

// server returns the shared test server.
func server(t testing.TB) *testserver.Server {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: skipped with -short")
	}
	sharedOnce.Do(func() {
		begin := time.Now()
		sharedServer, sharedErr = testserver.New()
		fmt.Fprintf(os.Stderr, "shared test server started in %v\n", time.Since(begin).Round(time.Millisecond))
	})
	if sharedErr != nil {
		t.Fatalf("starting the shared test server: %v", sharedErr)
	}
	return sharedServer
}

// clientFor is a clientset speaking contentType (JSON or protobuf).
func clientFor(t testing.TB, s *testserver.Server, contentType string) kubernetes.Interface {
	t.Helper()
	cfg := s.RESTConfig()
	cfg.ContentType = contentType
	if contentType == runtime.ContentTypeProtobuf {
		cfg.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// dynamicClient is a dynamic (unstructured, JSON) client of s.
func dynamicClient(t testing.TB, s *testserver.Server) dynamic.Interface {
	t.Helper()
	dc, err := dynamic.NewForConfig(s.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	return dc
}

// ctxFor is a context for one test's requests, ended with the test.
func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// restConfigWithWarnings returns a config whose client records the
// Warning headers it receives.
func restConfigWithWarnings(s *testserver.Server, warnings *warningRecorder) *rest.Config {
	cfg := s.RESTConfig()
	cfg.WarningHandler = warnings
	return cfg
}

// warningRecorder collects Warning headers.
type warningRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warningRecorder) HandleWarningHeader(code int, agent, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, text)
}

func (w *warningRecorder) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.msgs...)
}
