package apiserver_test

import (
	"context"
	"os"
	"sync"
	"testing"

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
var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

// server returns the shared test server.
func server(t testing.TB) *testserver.Server { return shared.Get(t) }

// ctxFor is a context for one test's requests, ended with the test.
func ctxFor(t testing.TB) context.Context { return testserver.Context(t) }

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
