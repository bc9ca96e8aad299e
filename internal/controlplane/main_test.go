package controlplane_test

import (
	"context"
	"os"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/hanok-dev/hanok/internal/testserver"
)

// The tests share one API server (started by the first that needs it);
// each works in its own namespace and with its own user names.
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

// bindClusterRole grants user the ClusterRole role in namespace ns.
func bindClusterRole(t testing.TB, admin kubernetes.Interface, ns, user, role string) {
	t.Helper()
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user + "-" + role, Namespace: ns},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	}
	if _, err := admin.RbacV1().RoleBindings(ns).Create(ctxFor(t), rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// eventually retries check until it returns nil or 10 s pass: informers
// (RBAC, the Node authorizer, tokens) see a write a moment after it.
func eventually(t testing.TB, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
