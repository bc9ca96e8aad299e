package bootstrappolicy

import (
	"reflect"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func testRole(name string, labels map[string]string, annotations map[string]string, rs ...rule) *rbacv1.ClusterRole {
	return &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels, Annotations: annotations, ResourceVersion: "5"}, Rules: rules(rs...)}
}

func TestReconcile(t *testing.T) {
	mark := map[string]string{BootstrapLabelKey: BootstrapLabelValue}
	auto := map[string]string{AutoUpdateAnnotation: "true"}
	off := map[string]string{AutoUpdateAnnotation: "false"}
	pods := verbs("get").groups("").resources("pods")
	svcs := verbs("get").groups("").resources("services")
	anyPods := verbs("*").groups("").resources("pods")

	wantRole := testRole("r", mark, auto, pods, svcs)
	wantBinding := clusterRoleBinding("b", "r", users("alice")...)

	tests := []struct {
		name      string
		existing  Policy
		wanted    Policy
		ops       []Op
		protected []string
		check     func(t *testing.T, p Plan)
	}{
		{
			name:   "missing objects are created, roles first",
			wanted: Policy{ClusterRoles: []*rbacv1.ClusterRole{wantRole}, ClusterRoleBindings: []*rbacv1.ClusterRoleBinding{wantBinding}},
			ops:    []Op{Create, Create},
			check: func(t *testing.T, p Plan) {
				if _, ok := p.Changes[0].Object.(*rbacv1.ClusterRole); !ok {
					t.Errorf("first change is %T", p.Changes[0].Object)
				}
			},
		},
		{
			name:     "up to date: nothing to do",
			existing: Policy{ClusterRoles: []*rbacv1.ClusterRole{wantRole.DeepCopy()}, ClusterRoleBindings: []*rbacv1.ClusterRoleBinding{wantBinding.DeepCopy()}},
			wanted:   Policy{ClusterRoles: []*rbacv1.ClusterRole{wantRole}, ClusterRoleBindings: []*rbacv1.ClusterRoleBinding{wantBinding}},
		},
		{
			name:     "broader rules written by a user cover the default",
			existing: Policy{ClusterRoles: []*rbacv1.ClusterRole{testRole("r", mark, auto, anyPods, svcs)}},
			wanted:   Policy{ClusterRoles: []*rbacv1.ClusterRole{wantRole}},
		},
		{
			name:     "missing rule is added, user rules and labels kept",
			existing: Policy{ClusterRoles: []*rbacv1.ClusterRole{testRole("r", map[string]string{"team": "x"}, nil, svcs, verbs("list").groups("").resources("nodes"))}},
			wanted:   Policy{ClusterRoles: []*rbacv1.ClusterRole{wantRole}},
			ops:      []Op{Update},
			check: func(t *testing.T, p Plan) {
				got := p.Changes[0].Object.(*rbacv1.ClusterRole)
				want := rules(svcs, verbs("list").groups("").resources("nodes"), pods)
				if !reflect.DeepEqual(got.Rules, want) {
					t.Errorf("rules %v, want %v", got.Rules, want)
				}
				if got.Labels["team"] != "x" || got.Labels[BootstrapLabelKey] != BootstrapLabelValue || got.Annotations[AutoUpdateAnnotation] != "true" {
					t.Errorf("metadata %v %v", got.Labels, got.Annotations)
				}
				if got.ResourceVersion != "5" {
					t.Error("update must carry the stored resourceVersion")
				}
				if p.Changes[0].Existing.(*rbacv1.ClusterRole).Name != "r" {
					t.Error("update must name the existing object")
				}
			},
		},
		{
			name:      "autoupdate=false is left alone",
			existing:  Policy{ClusterRoles: []*rbacv1.ClusterRole{testRole("r", nil, off)}},
			wanted:    Policy{ClusterRoles: []*rbacv1.ClusterRole{wantRole}},
			protected: []string{"clusterrole r"},
		},
		{
			name: "missing aggregation selector is added",
			existing: Policy{ClusterRoles: []*rbacv1.ClusterRole{{ObjectMeta: metav1.ObjectMeta{Name: "agg", Labels: mark, Annotations: auto},
				AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"mine": "true"}}}}}}},
			wanted: Policy{ClusterRoles: []*rbacv1.ClusterRole{aggregatedRole("agg", "theirs")}},
			ops:    []Op{Update},
			check: func(t *testing.T, p Plan) {
				if n := len(p.Changes[0].Object.(*rbacv1.ClusterRole).AggregationRule.ClusterRoleSelectors); n != 2 {
					t.Errorf("%d selectors, want 2", n)
				}
			},
		},
		{
			name:     "extra subjects are kept",
			existing: Policy{ClusterRoleBindings: []*rbacv1.ClusterRoleBinding{clusterRoleBinding("b", "r", users("alice", "bob")...)}},
			wanted:   Policy{ClusterRoleBindings: []*rbacv1.ClusterRoleBinding{wantBinding}},
		},
		{
			name:     "missing subject is added",
			existing: Policy{ClusterRoleBindings: []*rbacv1.ClusterRoleBinding{clusterRoleBinding("b", "r", users("bob")...)}},
			wanted:   Policy{ClusterRoleBindings: []*rbacv1.ClusterRoleBinding{wantBinding}},
			ops:      []Op{Update},
			check: func(t *testing.T, p Plan) {
				if got := p.Changes[0].Object.(*rbacv1.ClusterRoleBinding).Subjects; !reflect.DeepEqual(got, users("bob", "alice")) {
					t.Errorf("subjects %v", got)
				}
			},
		},
		{
			name: "changed roleRef is recreated",
			existing: Policy{ClusterRoleBindings: []*rbacv1.ClusterRoleBinding{func() *rbacv1.ClusterRoleBinding {
				b := clusterRoleBinding("b", "other", users("alice")...)
				b.UID = types.UID("uid-1")
				return b
			}()}},
			wanted: Policy{ClusterRoleBindings: []*rbacv1.ClusterRoleBinding{wantBinding}},
			ops:    []Op{Recreate},
			check: func(t *testing.T, p Plan) {
				if p.Changes[0].Existing.(*rbacv1.ClusterRoleBinding).UID != "uid-1" {
					t.Error("recreate must name the stored object for the UID precondition")
				}
				if p.Changes[0].Object.(*rbacv1.ClusterRoleBinding).RoleRef.Name != "r" {
					t.Error("recreate must write the policy's binding")
				}
			},
		},
		{
			name:     "namespaced roles and bindings",
			existing: Policy{RoleBindings: []*rbacv1.RoleBinding{roleBinding("kube-system", "rb", "x", users("u")...)}},
			wanted: Policy{
				Roles:        []*rbacv1.Role{role("kube-system", "x", pods), role("kube-public", "x", pods)},
				RoleBindings: []*rbacv1.RoleBinding{roleBinding("kube-system", "rb", "x", users("u")...), roleBinding("kube-public", "rb", "x", users("u")...)},
			},
			ops: []Op{Create, Create, Create},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := Policy{}
			for _, o := range tc.existing.ClusterRoles {
				before.ClusterRoles = append(before.ClusterRoles, o.DeepCopy())
			}
			p, err := Reconcile(tc.existing, tc.wanted)
			if err != nil {
				t.Fatal(err)
			}
			var ops []Op
			for _, c := range p.Changes {
				ops = append(ops, c.Op)
			}
			if !reflect.DeepEqual(ops, tc.ops) || !reflect.DeepEqual(p.Protected, tc.protected) {
				t.Fatalf("ops %v protected %v, want %v %v", ops, p.Protected, tc.ops, tc.protected)
			}
			if tc.check != nil {
				tc.check(t, p)
			}
			if !reflect.DeepEqual(before.ClusterRoles, tc.existing.ClusterRoles) {
				t.Error("Reconcile modified its input")
			}
		})
	}
}

// TestReconcileDefaultIsStable: a cluster that holds the default policy
// needs no writes, and an empty one needs every object created.
func TestReconcileDefaultIsStable(t *testing.T) {
	p, err := Reconcile(Default(), Default())
	if err != nil || len(p.Changes) != 0 || len(p.Protected) != 0 {
		t.Fatalf("default vs default: %v %v %v", p.Changes, p.Protected, err)
	}
	p, err = Reconcile(Policy{}, Default())
	if err != nil {
		t.Fatal(err)
	}
	if want := len(objects(Default())); len(p.Changes) != want {
		t.Fatalf("%d creates, want %d", len(p.Changes), want)
	}
}
