package bootstrappolicy

import (
	"context"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/component-helpers/auth/rbac/validation"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/authz"
	"github.com/hanok-dev/hanok/internal/apiserver/authz/rbac"
)

func objects(p Policy) []runtime.Object {
	var out []runtime.Object
	for _, o := range p.ClusterRoles {
		out = append(out, o)
	}
	for _, o := range p.ClusterRoleBindings {
		out = append(out, o)
	}
	for _, o := range p.Roles {
		out = append(out, o)
	}
	for _, o := range p.RoleBindings {
		out = append(out, o)
	}
	return out
}

func TestEveryObjectIsMarkedAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, o := range objects(Default()) {
		m, err := metaOf(o)
		if err != nil {
			t.Fatal(err)
		}
		key := o.GetObjectKind().GroupVersionKind().Kind + " " + typeName(o) + " " + m.GetNamespace() + "/" + m.GetName()
		if seen[key] {
			t.Errorf("duplicate %s", key)
		}
		seen[key] = true
		if m.GetLabels()[BootstrapLabelKey] != BootstrapLabelValue {
			t.Errorf("%s: missing label %s", key, BootstrapLabelKey)
		}
		if m.GetAnnotations()[AutoUpdateAnnotation] != "true" {
			t.Errorf("%s: missing annotation %s", key, AutoUpdateAnnotation)
		}
	}
}

func TestRequiredRolesExist(t *testing.T) {
	have := map[string]bool{}
	for _, r := range ClusterRoles() {
		have[r.Name] = true
	}
	for _, name := range []string{"cluster-admin", "admin", "edit", "view", "system:basic-user", "system:discovery",
		"system:public-info-viewer", "system:node", "system:node-proxier", "system:kube-scheduler", "system:volume-scheduler",
		"system:kube-controller-manager", "system:kube-dns", "system:monitoring", "system:auth-delegator", "system:heapster",
		"system:aggregated-metrics-reader", "system:metrics-server"} {
		if !have[name] {
			t.Errorf("missing ClusterRole %s", name)
		}
	}
	for _, c := range []string{"deployment-controller", "replicaset-controller", "statefulset-controller", "daemon-set-controller",
		"job-controller", "cronjob-controller", "endpoint-controller", "endpointslice-controller", "namespace-controller",
		"generic-garbage-collector", "node-controller", "service-account-controller", "root-ca-cert-publisher",
		"pod-garbage-collector", "resourcequota-controller", "persistent-volume-binder", "disruption-controller",
		"ttl-after-finished-controller", "clusterrole-aggregation-controller"} {
		if !have[ControllerRolePrefix+c] {
			t.Errorf("missing controller role for %s", c)
		}
	}
}

func TestBindingsReferenceRolesInThePolicy(t *testing.T) {
	p := Default()
	clusterRoles := map[string]bool{}
	for _, r := range p.ClusterRoles {
		clusterRoles[r.Name] = true
	}
	roles := map[string]bool{}
	for _, r := range p.Roles {
		roles[r.Namespace+"/"+r.Name] = true
	}
	for _, b := range p.ClusterRoleBindings {
		if b.RoleRef.Kind != "ClusterRole" || !clusterRoles[b.RoleRef.Name] {
			t.Errorf("clusterrolebinding %s: dangling roleRef %v", b.Name, b.RoleRef)
		}
	}
	for _, b := range p.RoleBindings {
		if b.RoleRef.Kind != "Role" || !roles[b.Namespace+"/"+b.RoleRef.Name] {
			t.Errorf("rolebinding %s/%s: dangling roleRef %v", b.Namespace, b.Name, b.RoleRef)
		}
	}
}

func TestAggregatedRolesNest(t *testing.T) {
	byName := map[string]*rbacv1.ClusterRole{}
	for _, r := range ClusterRoles() {
		byName[r.Name] = r
	}
	for _, pair := range [][2]string{{"admin", "edit"}, {"edit", "view"}, {"view", "system:aggregate-to-view"},
		{"edit", "system:aggregate-to-edit"}, {"admin", "system:aggregate-to-admin"}, {"view", "system:aggregated-metrics-reader"}} {
		if ok, missing := validation.Covers(byName[pair[0]].Rules, byName[pair[1]].Rules); !ok {
			t.Errorf("%s does not cover %s: missing %v", pair[0], pair[1], missing)
		}
	}
	if ok, _ := validation.Covers(byName["edit"].Rules, byName["admin"].Rules); ok {
		t.Error("edit covers admin")
	}
	// Re-aggregating the defaults is a no-op: what the controller will write.
	all := ClusterRoles()
	for _, r := range all {
		if _, changed := rbac.Aggregate(r, all); changed {
			t.Errorf("%s: aggregation controller would rewrite it", r.Name)
		}
	}
}

type decision struct {
	name string
	user *authn.User
	attr authz.Attributes
	want authz.Decision
}

func u(name string, groups ...string) *authn.User {
	return &authn.User{Name: name, Groups: append(groups, authn.AllAuthenticated)}
}

func sa(ns, name string) *authn.User {
	return u(rbac.ServiceAccountUsername(ns, name), "system:serviceaccounts", "system:serviceaccounts:"+ns)
}

func r(verb, group, resource, sub, ns, name string) authz.Attributes {
	return authz.Attributes{ResourceRequest: true, Verb: verb, APIGroup: group, Resource: resource, Subresource: sub, Namespace: ns, Name: name}
}

func path(verb, p string) authz.Attributes { return authz.Attributes{Verb: verb, Path: p} }

// TestPolicyDecisions runs the RBAC authorizer over the default policy plus
// one user bound to each of view, edit and admin in namespace "team".
func TestPolicyDecisions(t *testing.T) {
	objs := objects(Default())
	for _, role := range []string{"view", "edit", "admin"} {
		objs = append(objs, &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: role},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: role + "-user"}},
		})
	}
	ls, err := rbac.StaticListers(objs...)
	if err != nil {
		t.Fatal(err)
	}
	z := rbac.NewFromListers(ls)
	anon := &authn.User{Name: authn.Anonymous, Groups: []string{authn.AllUnauthenticated}}
	allow, none := authz.Allow, authz.NoOpinion

	tests := []decision{
		{"masters do anything", u("admin", MastersGroup), r("delete", "", "nodes", "", "", "n1"), allow},
		{"masters any url", u("admin", MastersGroup), path("post", "/whatever"), allow},
		{"anonymous healthz", anon, path("get", "/healthz"), allow},
		{"anonymous version", anon, path("get", "/version"), allow},
		{"anonymous no discovery", anon, path("get", "/apis"), none},
		{"anonymous no access review", anon, r("create", "authorization.k8s.io", "selfsubjectaccessreviews", "", "", ""), none},
		{"authenticated discovery", u("x"), path("get", "/apis/apps/v1"), allow},
		{"authenticated openapi", u("x"), path("get", "/openapi/v3"), allow},
		{"authenticated can-i", u("x"), r("create", "authorization.k8s.io", "selfsubjectaccessreviews", "", "", ""), allow},
		{"authenticated can-i --list", u("x"), r("create", "authorization.k8s.io", "selfsubjectrulesreviews", "", "", ""), allow},
		{"authenticated whoami", u("x"), r("create", "authentication.k8s.io", "selfsubjectreviews", "", "", ""), allow},
		{"authenticated no pods", u("x"), r("list", "", "pods", "", "team", ""), none},
		{"monitoring metrics", u("prom", MonitoringGroup), path("get", "/metrics"), allow},

		{"view reads pods", u("view-user"), r("list", "", "pods", "", "team", ""), allow},
		{"view reads logs", u("view-user"), r("get", "", "pods", "log", "team", "p"), allow},
		{"view reads deployments", u("view-user"), r("watch", "apps", "deployments", "", "team", ""), allow},
		{"view reads metrics", u("view-user"), r("list", "metrics.k8s.io", "pods", "", "team", ""), allow},
		{"view no secrets", u("view-user"), r("get", "", "secrets", "", "team", "s"), none},
		{"view no delete", u("view-user"), r("delete", "", "pods", "", "team", "p"), none},
		{"view only its namespace", u("view-user"), r("list", "", "pods", "", "other", ""), none},
		{"view not cluster-wide", u("view-user"), r("list", "", "pods", "", "", ""), none},
		{"edit creates deployments", u("edit-user"), r("create", "apps", "deployments", "", "team", ""), allow},
		{"edit reads secrets", u("edit-user"), r("get", "", "secrets", "", "team", "s"), allow},
		{"edit execs", u("edit-user"), r("create", "", "pods", "exec", "team", "p"), allow},
		{"edit no rolebindings", u("edit-user"), r("create", "rbac.authorization.k8s.io", "rolebindings", "", "team", ""), none},
		{"edit no quota", u("edit-user"), r("update", "", "resourcequotas", "", "team", "q"), none},
		{"admin grants", u("admin-user"), r("create", "rbac.authorization.k8s.io", "rolebindings", "", "team", ""), allow},
		{"admin deletes pods", u("admin-user"), r("delete", "", "pods", "", "team", "p"), allow},
		{"admin no namespace delete", u("admin-user"), r("delete", "", "namespaces", "", "team", "team"), none},

		{"scheduler binds", u(KubeScheduler), r("create", "", "pods", "binding", "team", "p"), allow},
		{"scheduler own lease", u(KubeScheduler), r("update", "coordination.k8s.io", "leases", "", "kube-system", "kube-scheduler"), allow},
		{"scheduler reads pvcs (volume-scheduler)", u(KubeScheduler), r("patch", "", "persistentvolumeclaims", "", "team", "c"), allow},
		{"scheduler no secrets", u(KubeScheduler), r("get", "", "secrets", "", "team", "s"), none},
		{"scheduler watches csinodes", u(KubeScheduler), r("watch", "storage.k8s.io", "csinodes", "", "", ""), allow},
		{"scheduler lists csistoragecapacities", u(KubeScheduler), r("list", "storage.k8s.io", "csistoragecapacities", "", "", ""), allow},
		{"scheduler lists resourceslices", u(KubeScheduler), r("list", "resource.k8s.io", "resourceslices", "", "", ""), allow},
		{"scheduler watches devicetaintrules", u(KubeScheduler), r("watch", "resource.k8s.io", "devicetaintrules", "", "", ""), allow},
		{"scheduler lists deviceclasses", u(KubeScheduler), r("list", "resource.k8s.io", "deviceclasses", "", "", ""), allow},
		{"scheduler allocates claims", u(KubeScheduler), r("update", "resource.k8s.io", "resourceclaims", "status", "team", "c"), allow},
		{"scheduler creates extended-resource claims", u(KubeScheduler), r("create", "resource.k8s.io", "resourceclaims", "", "team", ""), allow},
		{"scheduler lists volumeattachments", u(KubeScheduler), r("list", "storage.k8s.io", "volumeattachments", "", "", ""), allow},
		{"scheduler does not write classes", u(KubeScheduler), r("update", "resource.k8s.io", "deviceclasses", "", "", "c"), none},
		{"scheduler does not write slices", u(KubeScheduler), r("create", "resource.k8s.io", "resourceslices", "", "", ""), none},
		{"controller-manager lists anything", u(KubeControllerManager), r("list", "apps", "deployments", "", "", ""), allow},
		{"controller-manager leader lock", u(KubeControllerManager), r("update", "coordination.k8s.io", "leases", "", "kube-system", "kube-controller-manager"), allow},
		{"controller-manager no pod delete", u(KubeControllerManager), r("delete", "", "pods", "", "team", "p"), none},
		{"kube-proxy slices", u(KubeProxy), r("watch", "discovery.k8s.io", "endpointslices", "", "", ""), allow},
		{"apiserver proxies to kubelets", u(KubeAPIServer), r("get", "", "nodes", "proxy", "", "n"), allow},
		{"apiserver reads kubelet stats", u(KubeAPIServer), r("create", "", "nodes", "stats", "", "n"), allow},
		{"apiserver no pods", u(KubeAPIServer), r("list", "", "pods", "", "", ""), none},
		{"view no exec", u("view-user"), r("create", "", "pods", "exec", "team", "p"), none},
		{"kube-proxy no secrets", u(KubeProxy), r("list", "", "secrets", "", "", ""), none},
		{"kube-dns slices", sa("kube-system", "kube-dns"), r("list", "discovery.k8s.io", "endpointslices", "", "", ""), allow},
		{"metrics-server node metrics", sa("kube-system", "metrics-server"), r("get", "", "nodes", "metrics", "", "n1"), allow},
		{"metrics-server reads auth config", sa("kube-system", "metrics-server"), r("get", "", "configmaps", "", "kube-system", "extension-apiserver-authentication"), allow},
		{"nodes get nothing from RBAC", u("system:node:n1", NodesGroup), r("get", "", "secrets", "", "team", "s"), none},

		{"deployment controller writes replicasets", sa("kube-system", "deployment-controller"), r("create", "apps", "replicasets", "", "team", ""), allow},
		{"deployment controller no secrets", sa("kube-system", "deployment-controller"), r("get", "", "secrets", "", "team", "s"), none},
		{"namespace controller empties namespaces", sa("kube-system", "namespace-controller"), r("deletecollection", "apps", "deployments", "", "team", ""), allow},
		{"gc deletes anything", sa("kube-system", "generic-garbage-collector"), r("delete", "batch", "jobs", "", "team", "j"), allow},
		{"aggregation controller escalates", sa("kube-system", "clusterrole-aggregation-controller"), r("escalate", "rbac.authorization.k8s.io", "clusterroles", "", "", "admin"), allow},
		{"controller sa elsewhere is someone else", sa("team", "deployment-controller"), r("create", "apps", "replicasets", "", "team", ""), none},
		{"token cleaner", sa("kube-system", "token-cleaner"), r("delete", "", "secrets", "", "kube-system", "bootstrap-token-abcdef"), allow},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.attr
			a.User = tc.user
			got, reason, err := z.Authorize(context.Background(), a)
			if err != nil || got != tc.want {
				t.Errorf("got %v (%q, %v), want %v", got, reason, err, tc.want)
			}
		})
	}
}

// TestNodeRulesCoverDRA checks the kubelet may read its pods' claims and
// wipe a re-registering driver's stale slices, as upstream's system:node.
func TestNodeRulesCoverDRA(t *testing.T) {
	want := []rbacv1.PolicyRule{
		{Verbs: []string{"get"}, APIGroups: []string{"resource.k8s.io"}, Resources: []string{"resourceclaims"}},
		{Verbs: []string{"deletecollection"}, APIGroups: []string{"resource.k8s.io"}, Resources: []string{"resourceslices"}},
	}
	if covered, missing := validation.Covers(NodeRules(), want); !covered {
		t.Errorf("node rules miss %v", missing)
	}
	tooMuch := []rbacv1.PolicyRule{{Verbs: []string{"create"}, APIGroups: []string{"resource.k8s.io"}, Resources: []string{"resourceslices"}}}
	if covered, _ := validation.Covers(NodeRules(), tooMuch); covered {
		t.Error("node rules let the kubelet create slices")
	}
}
