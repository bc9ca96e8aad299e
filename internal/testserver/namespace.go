package testserver

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
)

// CreateNamespace creates a namespace named after the test plus a random
// suffix, so tests sharing a Server do not see each other's objects, with
// the `default` ServiceAccount the ServiceAccount admission plugin wants
// for pods (the Server runs no controllers, so the test plays the
// serviceaccount controller). It is not deleted: without a namespace
// controller it would only sit in Terminating, and the Server's etcd goes
// away with it anyway.
func (s *Server) CreateNamespace(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespaceName(t.Name())}}
	if _, err := s.client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatalf("testserver: creating namespace %s: %v", ns.Name, err)
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: ns.Name}}
	// A serviceaccount controller a test runs may have made it already.
	if _, err := s.client.CoreV1().ServiceAccounts(ns.Name).Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("testserver: creating the default service account in %s: %v", ns.Name, err)
	}
	return ns.Name
}

// namespaceName turns a test name ("TestCRUD/apps/v1/deployments") into a
// valid DNS label ("testcrud-apps-v1-deployments-x7k2p").
func namespaceName(testName string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(testName) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	name := strings.Trim(b.String(), "-")
	if len(name) > 50 {
		name = strings.TrimRight(name[:50], "-")
	}
	if name == "" {
		name = "test"
	}
	return name + "-" + utilrand.String(5)
}
