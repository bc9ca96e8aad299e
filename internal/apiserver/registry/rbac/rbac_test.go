package rbac

import (
	"reflect"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func podReader() rbacv1.PolicyRule {
	return rbacv1.PolicyRule{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"pods"}}
}

func TestRoleValidate(t *testing.T) {
	tests := []struct {
		name  string
		rules []rbacv1.PolicyRule
		want  []registrytest.WantErr
	}{
		{"valid", []rbacv1.PolicyRule{podReader()}, nil},
		{"no rules", nil, nil},
		{"resource names", []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"configmaps"}, ResourceNames: []string{"cfg"}}}, nil},
		{"no verbs", []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}}},
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "rules[0].verbs"}}},
		{"no api groups", []rbacv1.PolicyRule{podReader(), {Verbs: []string{"get"}, Resources: []string{"pods"}}},
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "rules[1].apiGroups"}}},
		{"no resources", []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{"apps"}}},
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "rules[0].resources"}}},
		{"non-resource URL in a Role", []rbacv1.PolicyRule{{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}}},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "rules[0].nonResourceURLs"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &rbacv1.Role{ObjectMeta: meta("reader"), Rules: tt.rules}
			registrytest.CheckErrors(t, registrytest.Create(roleStrategy{}, r), tt.want...)
		})
	}
}

func TestClusterRoleValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*rbacv1.ClusterRole)
		want   []registrytest.WantErr
	}{
		{"valid", func(*rbacv1.ClusterRole) {}, nil},
		{"system name", func(r *rbacv1.ClusterRole) { r.Name = "system:controller:job-controller" }, nil},
		{"non-resource URL", func(r *rbacv1.ClusterRole) {
			r.Rules = []rbacv1.PolicyRule{{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz", "/version"}}}
		}, nil},
		{"aggregated", func(r *rbacv1.ClusterRole) {
			r.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"rbac.example.com/aggregate-to-view": "true"}}}}
		}, nil},
		{"slash in name", func(r *rbacv1.ClusterRole) { r.Name = "a/b" }, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "metadata.name"}}},
		{"mixed rule", func(r *rbacv1.ClusterRole) {
			r.Rules = []rbacv1.PolicyRule{{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}, Resources: []string{"pods"}}}
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "rules[0].nonResourceURLs"}}},
		{"empty aggregation", func(r *rbacv1.ClusterRole) { r.AggregationRule = &rbacv1.AggregationRule{} },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "aggregationRule.clusterRoleSelectors"}}},
		{"namespace set", func(r *rbacv1.ClusterRole) { r.Namespace = "default" },
			[]registrytest.WantErr{{Type: field.ErrorTypeForbidden, Field: "metadata.namespace"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "viewer", ResourceVersion: "1"}, Rules: []rbacv1.PolicyRule{podReader()}}
			tt.mutate(r)
			registrytest.CheckErrors(t, registrytest.Create(clusterRoleStrategy{}, r), tt.want...)
		})
	}
}

func TestRoleBinding(t *testing.T) {
	newBinding := func() *rbacv1.RoleBinding {
		return &rbacv1.RoleBinding{
			ObjectMeta: meta("read-pods"),
			RoleRef:    rbacv1.RoleRef{Kind: "Role", Name: "reader"},
			Subjects: []rbacv1.Subject{
				{Kind: "User", Name: "jane"}, {Kind: "Group", Name: "devs"},
				{Kind: "ServiceAccount", Name: "builder"}, {Kind: "ServiceAccount", Name: "ci", Namespace: "ci"},
			},
		}
	}
	b := newBinding()
	if errs := registrytest.Create(roleBindingStrategy{}, b); len(errs) != 0 {
		t.Fatal(errs)
	}
	if b.RoleRef.APIGroup != rbacv1.GroupName || b.Subjects[0].APIGroup != rbacv1.GroupName || b.Subjects[1].APIGroup != rbacv1.GroupName || b.Subjects[2].APIGroup != "" {
		t.Errorf("defaults: %+v", b)
	}

	tests := []struct {
		name   string
		mutate func(*rbacv1.RoleBinding)
		want   []registrytest.WantErr
	}{
		{"cluster role", func(b *rbacv1.RoleBinding) { b.RoleRef.Kind = "ClusterRole" }, nil},
		{"bad kind", func(b *rbacv1.RoleBinding) { b.RoleRef.Kind = "Policy" }, []registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "roleRef.kind"}}},
		{"bad group", func(b *rbacv1.RoleBinding) { b.RoleRef.APIGroup = "example.com" }, []registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "roleRef.apiGroup"}}},
		{"no role name", func(b *rbacv1.RoleBinding) { b.RoleRef.Name = "" }, []registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "roleRef.name"}}},
		{"bad subject kind", func(b *rbacv1.RoleBinding) { b.Subjects[0].Kind = "Robot" }, []registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "subjects[0].kind"}}},
		{"subject without name", func(b *rbacv1.RoleBinding) { b.Subjects[1].Name = "" }, []registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "subjects[1].name"}}},
		{"sa with group", func(b *rbacv1.RoleBinding) { b.Subjects[2].APIGroup = "rbac.authorization.k8s.io" },
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "subjects[2].apiGroup"}}},
		{"bad sa name", func(b *rbacv1.RoleBinding) { b.Subjects[3].Name = "CI" }, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "subjects[3].name"}}},
		{"user in core group", func(b *rbacv1.RoleBinding) { b.Subjects[0].APIGroup = "v1" },
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "subjects[0].apiGroup"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBinding()
			tt.mutate(b)
			registrytest.CheckErrors(t, registrytest.Create(roleBindingStrategy{}, b), tt.want...)
		})
	}

	// roleRef is immutable; subjects are not.
	old := newBinding()
	registrytest.Create(roleBindingStrategy{}, old)
	nb := old.DeepCopy()
	nb.Subjects = nb.Subjects[:1]
	registrytest.CheckErrors(t, registrytest.Update(roleBindingStrategy{}, nb, old))
	nb.RoleRef.Name = "admin"
	registrytest.CheckErrors(t, registrytest.Update(roleBindingStrategy{}, nb, old), registrytest.WantErr{Type: field.ErrorTypeInvalid, Field: "roleRef"})
}

func TestClusterRoleBinding(t *testing.T) {
	newBinding := func() *rbacv1.ClusterRoleBinding {
		return &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "system:kube-scheduler", ResourceVersion: "1"},
			RoleRef:    rbacv1.RoleRef{Kind: "ClusterRole", Name: "system:kube-scheduler"},
			Subjects:   []rbacv1.Subject{{Kind: "User", Name: "system:kube-scheduler"}, {Kind: "ServiceAccount", Name: "sched", Namespace: "kube-system"}},
		}
	}
	tests := []struct {
		name   string
		mutate func(*rbacv1.ClusterRoleBinding)
		want   []registrytest.WantErr
	}{
		{"valid", func(*rbacv1.ClusterRoleBinding) {}, nil},
		{"role kind", func(b *rbacv1.ClusterRoleBinding) { b.RoleRef.Kind = "Role" }, []registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "roleRef.kind"}}},
		{"sa without namespace", func(b *rbacv1.ClusterRoleBinding) { b.Subjects[1].Namespace = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "subjects[1].namespace"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBinding()
			tt.mutate(b)
			registrytest.CheckErrors(t, registrytest.Create(clusterRoleBindingStrategy{}, b), tt.want...)
		})
	}
	old := newBinding()
	registrytest.Create(clusterRoleBindingStrategy{}, old)
	nb := old.DeepCopy()
	nb.RoleRef.Name = "cluster-admin"
	registrytest.CheckErrors(t, registrytest.Update(clusterRoleBindingStrategy{}, nb, old), registrytest.WantErr{Type: field.ErrorTypeInvalid, Field: "roleRef"})
}

func TestTables(t *testing.T) {
	created := metav1.NewTime(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	r := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "view", CreationTimestamp: created}}
	if got := registrytest.ColumnNames(clusterRoleStrategy{}); !reflect.DeepEqual(got, []string{"Created At"}) {
		t.Errorf("columns = %v", got)
	}
	registrytest.CheckTable(t, clusterRoleStrategy{}, r, []interface{}{"2026-03-04T05:06:07Z"})
	registrytest.CheckTable(t, roleStrategy{}, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "r", CreationTimestamp: created}}, []interface{}{"2026-03-04T05:06:07Z"})

	want := []string{"Role", "Age", "Users*", "Groups*", "ServiceAccounts*"}
	if got := registrytest.ColumnNames(roleBindingStrategy{}); !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v", got)
	}
	b := &rbacv1.RoleBinding{
		ObjectMeta: meta("rb"), RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: "edit"},
		Subjects: []rbacv1.Subject{{Kind: "User", Name: "a"}, {Kind: "User", Name: "b"}, {Kind: "ServiceAccount", Namespace: "ci", Name: "bot"}},
	}
	registrytest.CheckTable(t, roleBindingStrategy{}, b, []interface{}{"ClusterRole/edit", "", "a, b", "", "ci/bot"})
	cb := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "crb"}, RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: "view"},
		Subjects: []rbacv1.Subject{{Kind: "Group", Name: "system:authenticated"}}}
	registrytest.CheckTable(t, clusterRoleBindingStrategy{}, cb, []interface{}{"ClusterRole/view", "", "", "system:authenticated", ""})
}

func TestResources(t *testing.T) {
	want := map[string]bool{"roles": true, "rolebindings": true, "clusterroles": false, "clusterrolebindings": false}
	rs := Resources()
	if len(rs) != len(want) {
		t.Fatalf("%d resources", len(rs))
	}
	for _, r := range rs {
		ns, ok := want[r.Plural]
		if !ok || r.Namespaced != ns || r.GroupVersion.String() != "rbac.authorization.k8s.io/v1" ||
			reflect.TypeOf(r.New()).Elem().Name() != r.Kind || reflect.TypeOf(r.NewList()).Elem().Name() != r.Kind+"List" {
			t.Errorf("%s: %+v", r.Plural, r)
		}
	}
}
