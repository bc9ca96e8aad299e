package controllertest

import (
	"context"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/record"

	corev1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/controller"
	"github.com/hanok-dev/hanok/internal/testserver"
)

// ServiceAccountUser is the user name a controller's service account
// authenticates as.
func ServiceAccountUser(sa string) string { return "system:serviceaccount:kube-system:" + sa }

// ClientAs is a clientset acting as the controller service account sa in
// kube-system, with the groups a service-account token would carry.
func ClientAs(t testing.TB, s *testserver.Server, sa string) kubernetes.Interface {
	t.Helper()
	return s.ClientFor(t, ServiceAccountUser(sa), "system:serviceaccounts", "system:serviceaccounts:kube-system")
}

// NewContext is a controller.Context for the controller running as service
// account sa, whose informers see only namespace ns (so tests sharing a
// server stay apart; cluster-scoped kinds such as nodes are still seen
// whole). Start the informers with Start once the controller is built.
func NewContext(t testing.TB, s *testserver.Server, sa, ns string) controller.Context {
	t.Helper()
	return contextFor(t, ClientAs(t, s, sa), sa, ns)
}

func contextFor(t testing.TB, client kubernetes.Interface, sa, ns string) controller.Context {
	broadcaster := record.NewBroadcaster()
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: client.CoreV1().Events("")})
	t.Cleanup(broadcaster.Shutdown)
	return controller.Context{
		Client:    client,
		Informers: informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithNamespace(ns)),
		Recorder:  broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: sa}),
	}
}

// Run starts c's informers, waits for them to sync and runs ctrl with two
// workers until the test ends.
func Run(t testing.TB, c controller.Context, ctrl controller.Controller) {
	t.Helper()
	t.Cleanup(Start(t, c, ctrl))
}

// Start is Run that returns the stop (cancel and wait), for tests that
// kill a controller midway, as a lost leader election would.
func Start(t testing.TB, c controller.Context, ctrl controller.Controller) (stop func()) {
	t.Helper()
	return StartWorkers(t, c, ctrl, 2)
}

// StartWorkers is Start with workers workers (benchmarks use the
// manager's numbers).
func StartWorkers(t testing.TB, c controller.Context, ctrl controller.Controller, workers int) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	c.Informers.Start(ctx.Done())
	for typ, ok := range c.Informers.WaitForCacheSync(ctx.Done()) {
		if !ok {
			cancel()
			t.Fatalf("informer for %v did not sync", typ)
		}
	}
	go func() { defer close(done); ctrl.Run(ctx, workers) }()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
			c.Informers.Shutdown()
		})
	}
}

// Eventually polls cond every 20ms until it returns true or timeout
// passes, then fails the test with the last message cond gave.
func Eventually(t testing.TB, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, msg := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v: %s", timeout, msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
