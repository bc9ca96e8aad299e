package manager

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/hanok-dev/hanok/internal/controller/rootcacert"
	"github.com/hanok-dev/hanok/internal/leader"
	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

// fastLease makes a handover take a second, not upstream's 15.
var fastLease = leader.Timing{LeaseDuration: 2 * time.Second, RenewDeadline: 1500 * time.Millisecond, RetryPeriod: 200 * time.Millisecond}

// startManager runs a leader-electing manager as identity until stopped
// (the returned func) or the test ends.
func startManager(t *testing.T, s *testserver.Server, identity string) (stop func()) {
	t.Helper()
	cfg := Config{
		RESTConfig:     s.RESTConfigFor(t, "system:kube-controller-manager"),
		LeaderElect:    true,
		LeaderIdentity: identity,
		LeaderTiming:   fastLease,
		RootCA:         s.PKI().ServerCAPEM(),
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
	t.Cleanup(stop)
	return stop
}

func poll(t *testing.T, what string, cond func(ctx context.Context) bool) {
	t.Helper()
	err := wait.PollUntilContextTimeout(testserver.Context(t), 20*time.Millisecond, 25*time.Second, true,
		func(ctx context.Context) (bool, error) { return cond(ctx), nil })
	if err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

func holder(ctx context.Context, s *testserver.Server) string {
	lease, err := s.Client().CoordinationV1().Leases("kube-system").Get(ctx, LeaseName, metav1.GetOptions{})
	if err != nil || lease.Spec.HolderIdentity == nil {
		return ""
	}
	return *lease.Spec.HolderIdentity
}

// TestRunEndToEnd runs two managers as system:kube-controller-manager:
// one leads, its controllers act with their own tokens, and when it stops
// the other takes over.
func TestRunEndToEnd(t *testing.T) {
	s := shared.Get(t)
	stopA := startManager(t, s, "manager-a")
	poll(t, "manager-a to lead", func(ctx context.Context) bool { return holder(ctx, s) == "manager-a" })
	startManager(t, s, "manager-b")

	// Each controller's account was made on its first token.
	for _, e := range Controllers {
		poll(t, "service account "+e.Account, func(ctx context.Context) bool {
			_, err := s.Client().CoreV1().ServiceAccounts("kube-system").Get(ctx, e.Account, metav1.GetOptions{})
			return err == nil
		})
	}
	// A new namespace gets its default account and the root CA. The
	// ConfigMap proves the token: the manager's own identity may not
	// create ConfigMaps, only root-ca-cert-publisher's may.
	ns := createNamespace(t, s)
	waitForNamespaceContent(t, s, ns)
	if h := holder(testserver.Context(t), s); h != "manager-a" {
		t.Fatalf("lease held by %q while manager-a runs", h)
	}

	// Hand over: manager-b leads and keeps the namespace right.
	stopA()
	poll(t, "manager-b to lead", func(ctx context.Context) bool { return holder(ctx, s) == "manager-b" })
	ctx := testserver.Context(t)
	if err := s.Client().CoreV1().ConfigMaps(ns).Delete(ctx, rootcacert.ConfigMapName, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Client().CoreV1().ServiceAccounts(ns).Delete(ctx, "default", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitForNamespaceContent(t, s, ns)

	// A controller's account deleted under it: its next request is
	// refused, the manager makes the account again and a new token, and
	// the controller carries on.
	if err := s.Client().CoreV1().ServiceAccounts("kube-system").Delete(ctx, "root-ca-cert-publisher", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Client().CoreV1().ConfigMaps(ns).Delete(ctx, rootcacert.ConfigMapName, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitForNamespaceContent(t, s, ns)

	// The garbage collector runs: a dependent goes with its owner.
	owner, err := s.Client().CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "owner"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dependent := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "dependent", OwnerReferences: []metav1.OwnerReference{
		{APIVersion: "v1", Kind: "ConfigMap", Name: owner.Name, UID: owner.UID}}}}
	if _, err := s.Client().CoreV1().ConfigMaps(ns).Create(ctx, dependent, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Client().CoreV1().ConfigMaps(ns).Delete(ctx, owner.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	poll(t, "the dependent to be collected", func(ctx context.Context) bool {
		_, err := s.Client().CoreV1().ConfigMaps(ns).Get(ctx, dependent.Name, metav1.GetOptions{})
		return apierrors.IsNotFound(err)
	})

	// Deleting the namespace leaves nothing behind.
	if err := s.Client().CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	poll(t, "namespace "+ns+" to go", func(ctx context.Context) bool {
		_, err := s.Client().CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		return apierrors.IsNotFound(err)
	})
	resp, err := s.Etcd().Get(ctx, "/registry/", clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range resp.Kvs {
		if key := string(kv.Key); strings.Contains(key, "/"+ns+"/") || strings.HasSuffix(key, "/"+ns) {
			t.Errorf("still stored: %s", key)
		}
	}
}

func waitForNamespaceContent(t *testing.T, s *testserver.Server, ns string) {
	t.Helper()
	poll(t, "default ServiceAccount in "+ns, func(ctx context.Context) bool {
		_, err := s.Client().CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		return err == nil
	})
	ca := string(s.PKI().ServerCAPEM())
	poll(t, rootcacert.ConfigMapName+" in "+ns, func(ctx context.Context) bool {
		cm, err := s.Client().CoreV1().ConfigMaps(ns).Get(ctx, rootcacert.ConfigMapName, metav1.GetOptions{})
		return err == nil && cm.Data[rootcacert.DataKey] == ca
	})
}

// createNamespace makes a fresh namespace without the default account
// testserver.CreateNamespace adds (the controller under test makes it,
// and the two would race).
func createNamespace(t *testing.T, s *testserver.Server) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "sa-test-"}}
	got, err := s.Client().CoreV1().Namespaces().Create(testserver.Context(t), ns, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return got.Name
}
