package serviceaccount

import (
	"context"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/record"

	"github.com/hanok-dev/hanok/internal/controller"
	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

// start runs the controller as the controller manager would: its own
// identity for writes, the manager's for the shared informers.
func start(t *testing.T, s *testserver.Server) {
	t.Helper()
	cc := controller.Context{
		Client:    s.ClientFor(t, "system:serviceaccount:kube-system:service-account-controller", "system:serviceaccounts", "system:serviceaccounts:kube-system"),
		Informers: informers.NewSharedInformerFactory(s.ClientFor(t, "system:kube-controller-manager"), 0),
		Recorder:  &record.FakeRecorder{},
	}
	c := New(cc)
	ctx, cancel := context.WithCancel(context.Background())
	cc.Informers.Start(ctx.Done())
	done := make(chan struct{})
	go func() { c.Run(ctx, 1); close(done) }()
	t.Cleanup(func() { cancel(); <-done; cc.Informers.Shutdown() })
}

func TestDefaultAccountCreatedAndRecreated(t *testing.T) {
	s := shared.Get(t)
	start(t, s)
	ctx := testserver.Context(t)
	ns := createNamespace(t, s)
	first := waitForAccount(t, s, ns, "")
	if err := s.Client().CoreV1().ServiceAccounts(ns).Delete(ctx, "default", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	second := waitForAccount(t, s, ns, first.UID)
	if second.UID == first.UID {
		t.Fatal("default account was not recreated")
	}
}

// waitForAccount waits for default in ns with a UID other than notUID.
func waitForAccount(t *testing.T, s *testserver.Server, ns string, notUID types.UID) *corev1.ServiceAccount {
	t.Helper()
	var sa *corev1.ServiceAccount
	err := wait.PollUntilContextTimeout(testserver.Context(t), 20*time.Millisecond, 20*time.Second, true, func(ctx context.Context) (bool, error) {
		got, err := s.Client().CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		if err != nil || got.UID == notUID {
			return false, nil
		}
		sa = got
		return true, nil
	})
	if err != nil {
		t.Fatalf("no default ServiceAccount in %s: %v", ns, err)
	}
	return sa
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
