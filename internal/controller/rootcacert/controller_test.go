package rootcacert

import (
	"context"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
func start(t *testing.T, s *testserver.Server, ca []byte) {
	t.Helper()
	cc := controller.Context{
		Client:    s.ClientFor(t, "system:serviceaccount:kube-system:root-ca-cert-publisher", "system:serviceaccounts", "system:serviceaccounts:kube-system"),
		Informers: informers.NewSharedInformerFactory(s.ClientFor(t, "system:kube-controller-manager"), 0),
		Recorder:  &record.FakeRecorder{},
	}
	c, err := New(cc, ca)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cc.Informers.Start(ctx.Done())
	done := make(chan struct{})
	go func() { c.Run(ctx, 1); close(done) }()
	t.Cleanup(func() { cancel(); <-done; cc.Informers.Shutdown() })
}

func TestPublishedKeptAndRecreated(t *testing.T) {
	s := shared.Get(t)
	ca := s.PKI().ServerCAPEM()
	start(t, s, ca)
	ctx := testserver.Context(t)
	ns := s.CreateNamespace(t)
	cms := s.Client().CoreV1().ConfigMaps(ns)

	first := waitForCA(t, s, ns, ca, "")
	// Changed: put back.
	changed := first.DeepCopy()
	changed.Data[DataKey] = "tampered"
	if _, err := cms.Update(ctx, changed, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitForCA(t, s, ns, ca, "")
	// Deleted: recreated.
	if err := cms.Delete(ctx, ConfigMapName, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitForCA(t, s, ns, ca, string(first.UID))
	// In every namespace, kube-system included.
	waitForCA(t, s, "kube-system", ca, "")
}

// waitForCA waits for kube-root-ca.crt in ns holding ca, with a UID other
// than notUID.
func waitForCA(t *testing.T, s *testserver.Server, ns string, ca []byte, notUID string) *corev1.ConfigMap {
	t.Helper()
	var cm *corev1.ConfigMap
	err := wait.PollUntilContextTimeout(testserver.Context(t), 20*time.Millisecond, 20*time.Second, true, func(ctx context.Context) (bool, error) {
		got, err := s.Client().CoreV1().ConfigMaps(ns).Get(ctx, ConfigMapName, metav1.GetOptions{})
		if err != nil || string(got.UID) == notUID || got.Data[DataKey] != string(ca) {
			return false, nil
		}
		cm = got
		return true, nil
	})
	if err != nil {
		t.Fatalf("no %s with the CA in %s: %v", ConfigMapName, ns, err)
	}
	return cm
}
