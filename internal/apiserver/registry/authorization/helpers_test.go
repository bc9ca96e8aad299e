package authorization

import (
	"context"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/cache"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/authz"
	"github.com/hanok-dev/hanok/internal/apiserver/authz/node"
	"github.com/hanok-dev/hanok/internal/apiserver/authz/rbac"
	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// chain is the server's chain in miniature: masters, the Node authorizer
// and RBAC with one ClusterRole pod-reader bound to alice in namespace dev.
func chain(t *testing.T) (authz.Authorizer, authz.RuleResolver) {
	t.Helper()
	objs := []runtime.Object{
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "pod-reader"}, Rules: []rbacv1.PolicyRule{
			{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"pods"}},
		}},
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "healthz"}, Rules: []rbacv1.PolicyRule{
			{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}},
		}},
		&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "alice-reads", Namespace: "dev"},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "pod-reader"},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "alice"}}},
		&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "ops-healthz"},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "healthz"},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "ops"}}},
	}
	l, err := rbac.StaticListers(objs...)
	if err != nil {
		t.Fatal(err)
	}
	r := rbac.NewFromListers(l)
	pods := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{node.NodeNameIndex: node.IndexByNodeName})
	n := node.New(node.PodIndexer{Indexer: pods}, nil, nil, nil)
	return authz.Union{authz.SystemMasters{}, n, r}, authz.RuleResolvers{authz.SystemMasters{}, n, r}
}

var (
	admin = &authn.User{Name: "admin", Groups: []string{authn.SystemMasters, authn.AllAuthenticated}}
	alice = &authn.User{Name: "alice", Groups: []string{authn.AllAuthenticated}}
	node1 = &authn.User{Name: "system:node:n1", Groups: []string{node.NodesGroup, authn.AllAuthenticated}}
)

// resource finds the review of kind among Resources.
func resource(t *testing.T, kind string) *registry.Resource {
	t.Helper()
	z, rules := chain(t)
	for _, r := range Resources(z, rules) {
		if r.Kind == kind {
			if !r.Virtual() || r.NewList != nil {
				t.Fatalf("%s must be virtual and unlistable", kind)
			}
			return r
		}
	}
	t.Fatalf("no %s", kind)
	return nil
}

// create runs what the virtual handler runs: default, validate, create.
func create(t *testing.T, res *registry.Resource, u *authn.User, obj runtime.Object) (runtime.Object, error) {
	t.Helper()
	ctx := context.Background()
	if u != nil {
		ctx = authn.WithUser(ctx, u)
	}
	res.Strategy.Default(obj)
	if errs := res.Strategy.Validate(ctx, obj); len(errs) > 0 {
		t.Fatalf("invalid: %v", errs)
	}
	return res.Create(ctx, obj)
}
