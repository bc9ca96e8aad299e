package kubeletproxy_test

import (
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/pki"
	"github.com/hanok-dev/hanok/internal/testserver"
)

// rbacBinding binds user to a ClusterRole in ns.
type rbacBinding struct{ ns, user, role string }

func (b *rbacBinding) create(t *testing.T, c *cluster) {
	t.Helper()
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: b.user + "-" + b.role, Namespace: b.ns},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: b.role},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: b.user}},
	}
	if _, err := c.s.Client().RbacV1().RoleBindings(b.ns).Create(testserver.Context(t), rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// waitAllowed polls do until RBAC's informers have the new binding.
func waitAllowed(t *testing.T, do func() error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := do()
		if err == nil {
			return
		}
		if !apierrors.IsForbidden(err) || time.Now().After(deadline) {
			t.Fatalf("still refused: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestKubeletsAuthorizeTheAPIServer: what a kubelet asks (a
// SubjectAccessReview for system:kube-apiserver on nodes/proxy and
// nodes/stats) is allowed by the bootstrap policy.
func TestKubeletsAuthorizeTheAPIServer(t *testing.T) {
	s := shared.Get(t)
	for _, attrs := range []authorizationv1.ResourceAttributes{
		{Verb: "create", Resource: "nodes", Subresource: "proxy", Name: "n1"},
		{Verb: "get", Resource: "nodes", Subresource: "proxy", Name: "n1"},
		{Verb: "get", Resource: "nodes", Subresource: "stats", Name: "n1"},
		{Verb: "get", Resource: "nodes", Subresource: "log", Name: "n1"},
	} {
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User: pki.KubeAPIServerUser, Groups: []string{"system:authenticated"}, ResourceAttributes: &attrs}}
		got, err := s.Client().AuthorizationV1().SubjectAccessReviews().Create(testserver.Context(t), sar, metav1.CreateOptions{})
		if err != nil || !got.Status.Allowed {
			t.Errorf("%s nodes/%s for %s: %v %+v", attrs.Verb, attrs.Subresource, pki.KubeAPIServerUser, err, got.Status)
		}
	}
}
