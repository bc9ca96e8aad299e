package rbac

import (
	"context"
	"fmt"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/authz"
)

// benchPolicy is 1,000 ClusterRoles + 1,000 ClusterRoleBindings and 1,000
// Roles + 1,000 RoleBindings over 100 namespaces, each role with five rules,
// plus the three bindings every authenticated user matches (as bootstrap
// policy has them). User user-<i> has one cluster binding and one binding in
// namespace ns-<i%100>; every user is also in group team-<i%50>, which has
// its own cluster binding.
func benchPolicy() []runtime.Object {
	const n, namespaces = 1000, 100
	var objs []runtime.Object
	// Cluster roles read configmaps, namespaced roles may also write them,
	// so "update configmaps" is only allowed through a RoleBinding.
	fiveRules := func(i int, configMapVerb string) []rbacv1.PolicyRule {
		return []rbacv1.PolicyRule{
			rule(l("get", "list", "watch"), l("apps"), l("deployments", "replicasets")),
			rule(l("create"), l("batch"), l("jobs")),
			rule(l("get", configMapVerb), l(""), l("configmaps")),
			{Verbs: l("get"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l(fmt.Sprintf("secret-%d", i))},
			rule(l("get", "list", "watch"), l(""), l("pods", "pods/log")),
		}
	}
	for i := 0; i < n; i++ {
		u := fmt.Sprintf("user-%d", i)
		ns := fmt.Sprintf("ns-%d", i%namespaces)
		objs = append(objs,
			clusterRole(fmt.Sprintf("cr-%d", i), fiveRules(i, "get")...),
			crb(fmt.Sprintf("crb-%d", i), fmt.Sprintf("cr-%d", i), userSubject(u)),
			role(ns, fmt.Sprintf("role-%d", i), fiveRules(i, "update")...),
			rb(ns, fmt.Sprintf("rb-%d", i), "Role", fmt.Sprintf("role-%d", i), userSubject(u), saSubject("", fmt.Sprintf("sa-%d", i))),
		)
	}
	for t := 0; t < 50; t++ {
		objs = append(objs, crb(fmt.Sprintf("team-%d", t), "cr-0", groupSubject(fmt.Sprintf("team-%d", t))))
	}
	objs = append(objs,
		clusterRole("basic", rule(l("create"), l("authorization.k8s.io"), l("selfsubjectaccessreviews", "selfsubjectrulesreviews"))),
		clusterRole("discovery", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/api", "/api/*", "/apis", "/apis/*", "/version")}),
		clusterRole("public", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/healthz", "/livez", "/readyz")}),
		crb("basic", "basic", groupSubject(authn.AllAuthenticated)),
		crb("discovery", "discovery", groupSubject(authn.AllAuthenticated)),
		crb("public", "public", groupSubject(authn.AllAuthenticated), groupSubject(authn.AllUnauthenticated)),
	)
	return objs
}

type benchCase struct {
	name string
	attr authz.Attributes
	want authz.Decision
}

func benchCases() []benchCase {
	u := user("user-537", "team-37")
	sa := saUser("ns-37", "sa-537")
	at := func(who *authn.User, a authz.Attributes, ns string) authz.Attributes {
		a.User, a.Namespace = who, ns
		return a
	}
	return []benchCase{
		{"allow/clusterrolebinding", at(u, res("get", "", "pods", "log", "p"), "ns-1"), authz.Allow},
		{"allow/rolebinding", at(u, res("update", "", "configmaps", "", "c"), "ns-37"), authz.Allow},
		{"allow/serviceaccount", at(sa, res("list", "", "pods", "", ""), "ns-37"), authz.Allow},
		{"allow/nonresource", at(u, url("get", "/apis/apps/v1"), ""), authz.Allow},
		{"deny/namespaced", at(u, res("delete", "", "pods", "", "p"), "ns-37"), authz.NoOpinion},
		{"deny/cluster", at(u, res("delete", "", "nodes", "", "n"), ""), authz.NoOpinion},
	}
}

// BenchmarkAuthorize measures one decision against benchPolicy; the target
// is under 2µs per decision.
func BenchmarkAuthorize(b *testing.B) {
	z := newTestAuthorizer(b, benchPolicy()...)
	ctx := context.Background()
	for _, c := range benchCases() {
		b.Run(c.name, func(b *testing.B) {
			if d, _, _ := z.Authorize(ctx, c.attr); d != c.want {
				b.Fatalf("decision %v, want %v", d, c.want)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				_, _, _ = z.Authorize(ctx, c.attr)
			}
		})
	}
	b.Run("parallel/mixed", func(b *testing.B) {
		cases := benchCases()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				_, _, _ = z.Authorize(ctx, cases[i%len(cases)].attr)
				i++
			}
		})
	})
}

// BenchmarkIndexRebuild is the cost paid once after each binding change.
func BenchmarkIndexRebuild(b *testing.B) {
	z := newTestAuthorizer(b, benchPolicy()...)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		z.Invalidate()
		if _, err := z.clusterIndex(); err != nil {
			b.Fatal(err)
		}
		if _, err := z.namespaceIndex(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthorizeScan is upstream's strategy (list every binding, test
// each subject) over the same policy, kept as the reference the index is
// measured against.
func BenchmarkAuthorizeScan(b *testing.B) {
	ls, err := StaticListers(benchPolicy()...)
	if err != nil {
		b.Fatal(err)
	}
	z := NewFromListers(ls)
	scan := func(a *authz.Attributes) bool {
		crbs, _ := ls.ClusterRoleBindings.List(labels.Everything())
		for _, c := range crbs {
			if _, ok := appliesTo(a.User, c.Subjects, ""); ok {
				if rules, err := z.roleRules(c.RoleRef, ""); err == nil && anyRuleAllows(a, rules) {
					return true
				}
			}
		}
		rbs, _ := ls.RoleBindings.RoleBindings(a.Namespace).List(labels.Everything())
		for _, r := range rbs {
			if _, ok := appliesTo(a.User, r.Subjects, a.Namespace); ok {
				if rules, err := z.roleRules(r.RoleRef, a.Namespace); err == nil && anyRuleAllows(a, rules) {
					return true
				}
			}
		}
		return false
	}
	for _, c := range benchCases() {
		b.Run(c.name, func(b *testing.B) {
			attr := c.attr
			if scan(&attr) != (c.want == authz.Allow) {
				b.Fatal("scan disagrees with the index")
			}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				scan(&attr)
			}
		})
	}
}
