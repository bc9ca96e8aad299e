package rbac

import (
	"context"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/authz"
)

func fixture() []runtime.Object {
	return []runtime.Object{
		clusterRole("pod-reader", rule(l("get", "list", "watch"), l(""), l("pods", "pods/log"))),
		clusterRole("everything", rule(l("*"), l("*"), l("*")), rbacv1.PolicyRule{Verbs: l("*"), NonResourceURLs: l("*")}),
		clusterRole("metrics", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/metrics", "/debug/*")}),
		clusterRole("editor", rule(l("create", "update", "delete"), l("apps"), l("deployments", "deployments/scale"))),
		role("ns1", "secret-reader", rbacv1.PolicyRule{Verbs: l("get"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("s1")}),
		role("ns2", "secret-reader", rule(l("get"), l(""), l("secrets"))),

		crb("alice-reads-pods", "pod-reader", userSubject("alice")),
		crb("admins", "everything", groupSubject("admins")),
		crb("monitoring", "metrics", groupSubject("monitors"), userSubject("alice")),
		crb("sa-without-namespace", "everything", saSubject("", "default")),
		crb("sa-cluster", "pod-reader", saSubject("kube-system", "ctrl")),
		crb("dangling", "missing", userSubject("carol")),
		crb("unknown-kind", "pod-reader", rbacv1.Subject{Kind: "Robot", Name: "carol"}),

		rb("ns1", "builder-secrets", "Role", "secret-reader", saSubject("", "builder")),
		rb("ns1", "bob-edits", "ClusterRole", "editor", userSubject("bob")),
		rb("ns1", "bob-twice", "ClusterRole", "editor", userSubject("bob"), groupSubject("devs")),
		rb("ns2", "dangling-role", "Role", "nope", userSubject("carol")),
		rb("ns2", "weird-ref", "Secret", "x", userSubject("carol")),
		rb("ns2", "remote-sa", "Role", "secret-reader", saSubject("ns1", "builder")),
	}
}

func newTestAuthorizer(t testing.TB, objs ...runtime.Object) *Authorizer {
	t.Helper()
	ls, err := StaticListers(objs...)
	if err != nil {
		t.Fatal(err)
	}
	return NewFromListers(ls)
}

func withNS(a authz.Attributes, ns string) authz.Attributes {
	a.Namespace = ns
	return a
}

func TestAuthorize(t *testing.T) {
	z := newTestAuthorizer(t, fixture()...)
	tests := []struct {
		name       string
		user       *authn.User
		attr       authz.Attributes
		want       authz.Decision
		wantReason string
	}{
		{"cluster binding to user, any namespace", user("alice"), withNS(res("get", "", "pods", "", "p"), "ns9"), authz.Allow,
			`RBAC: allowed by ClusterRoleBinding "alice-reads-pods" of ClusterRole "pod-reader" to User "alice"`},
		{"cluster binding to user, cluster-wide list", user("alice"), res("list", "", "pods", "", ""), authz.Allow,
			`RBAC: allowed by ClusterRoleBinding "alice-reads-pods" of ClusterRole "pod-reader" to User "alice"`},
		{"subresource listed", user("alice"), withNS(res("get", "", "pods", "log", "p"), "ns1"), authz.Allow,
			`RBAC: allowed by ClusterRoleBinding "alice-reads-pods" of ClusterRole "pod-reader" to User "alice"`},
		{"subresource not listed", user("alice"), withNS(res("create", "", "pods", "exec", "p"), "ns1"), authz.NoOpinion, ""},
		{"verb not granted", user("alice"), withNS(res("delete", "", "pods", "", "p"), "ns1"), authz.NoOpinion, ""},
		{"non-resource via user subject of multi-subject binding", user("alice"), url("get", "/debug/pprof"), authz.Allow,
			`RBAC: allowed by ClusterRoleBinding "monitoring" of ClusterRole "metrics" to User "alice"`},
		{"first applying subject is reported", user("alice", "monitors"), url("get", "/metrics"), authz.Allow,
			`RBAC: allowed by ClusterRoleBinding "monitoring" of ClusterRole "metrics" to Group "monitors"`},
		{"group binding", user("dave", "admins"), withNS(res("delete", "apps", "deployments", "", "d"), "x"), authz.Allow,
			`RBAC: allowed by ClusterRoleBinding "admins" of ClusterRole "everything" to Group "admins"`},
		{"group binding non-resource", user("dave", "admins"), url("post", "/anything"), authz.Allow,
			`RBAC: allowed by ClusterRoleBinding "admins" of ClusterRole "everything" to Group "admins"`},
		{"stranger", user("eve"), withNS(res("get", "", "pods", "", "p"), "ns1"), authz.NoOpinion, ""},
		{"no user", nil, res("get", "", "pods", "", ""), authz.NoOpinion, ""},
		{"sa subject without namespace never matches cluster-wide", saUser("default", "default"), res("get", "", "pods", "", ""), authz.NoOpinion, ""},
		{"sa in cluster binding", saUser("kube-system", "ctrl"), withNS(res("watch", "", "pods", "", ""), "ns3"), authz.Allow,
			`RBAC: allowed by ClusterRoleBinding "sa-cluster" of ClusterRole "pod-reader" to ServiceAccount "ctrl/kube-system"`},
		{"sa of other namespace is not that sa", saUser("default", "ctrl"), res("list", "", "pods", "", ""), authz.NoOpinion, ""},
		{"user named like the sa is the sa", user("system:serviceaccount:kube-system:ctrl"), res("list", "", "pods", "", ""), authz.Allow,
			`RBAC: allowed by ClusterRoleBinding "sa-cluster" of ClusterRole "pod-reader" to ServiceAccount "ctrl/kube-system"`},
		{"rolebinding sa defaults to binding namespace", saUser("ns1", "builder"), withNS(res("get", "", "secrets", "", "s1"), "ns1"), authz.Allow,
			`RBAC: allowed by RoleBinding "builder-secrets/ns1" of Role "secret-reader" to ServiceAccount "builder/ns1"`},
		{"resourceNames restrict", saUser("ns1", "builder"), withNS(res("get", "", "secrets", "", "s2"), "ns1"), authz.NoOpinion, ""},
		{"rolebinding to sa of another namespace", saUser("ns1", "builder"), withNS(res("get", "", "secrets", "", "s2"), "ns2"), authz.Allow,
			`RBAC: allowed by RoleBinding "remote-sa/ns2" of Role "secret-reader" to ServiceAccount "builder/ns1"`},
		{"rolebinding grants only in its namespace", saUser("ns1", "builder"), withNS(res("get", "", "secrets", "", "s1"), "ns3"), authz.NoOpinion, ""},
		{"rolebinding never grants cluster-wide", saUser("ns1", "builder"), res("get", "", "secrets", "", "s1"), authz.NoOpinion, ""},
		{"rolebinding to clusterrole", user("bob"), withNS(res("update", "apps", "deployments", "scale", "d"), "ns1"), authz.Allow,
			`RBAC: allowed by RoleBinding "bob-edits/ns1" of ClusterRole "editor" to User "bob"`},
		{"rolebinding to clusterrole other namespace", user("bob"), withNS(res("update", "apps", "deployments", "", "d"), "ns2"), authz.NoOpinion, ""},
		{"binding reached by user and group", user("bob", "devs"), withNS(res("get", "apps", "deployments", "", "d"), "ns1"), authz.NoOpinion, ""},
		{"missing clusterrole is the reason", user("carol"), res("get", "", "pods", "", ""), authz.NoOpinion,
			`RBAC: clusterrole.rbac.authorization.k8s.io "missing" not found`},
		{"all resolution errors are listed", user("carol"), withNS(res("get", "", "pods", "", ""), "ns2"), authz.NoOpinion,
			`RBAC: [clusterrole.rbac.authorization.k8s.io "missing" not found, role.rbac.authorization.k8s.io "nope" not found, unsupported role reference kind: "Secret"]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			attr := tc.attr
			attr.User = tc.user
			got, reason, err := z.Authorize(context.Background(), attr)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want || reason != tc.wantReason {
				t.Errorf("got (%v, %q), want (%v, %q)", got, reason, tc.want, tc.wantReason)
			}
		})
	}
}
