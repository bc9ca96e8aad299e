package clusterroleaggregation

import (
	"context"
	"os"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/controller/controllertest"
	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

// TestAggregation: a role labelled for an aggregated role shows up in its
// rules, a change to it follows, and nested aggregation settles; the
// controller acts with its own service account's bootstrap role.
func TestAggregation(t *testing.T) {
	s := shared.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := controllertest.NewContext(t, s, Name, "")
	ctl, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	controllertest.Run(t, c, ctl)

	roles := s.Client().RbacV1().ClusterRoles()
	aggregated := func(name, label string, own map[string]string) *rbacv1.ClusterRole {
		return &rbacv1.ClusterRole{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: own},
			AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{
				{MatchLabels: map[string]string{label: "true"}}}},
		}
	}
	for _, r := range []*rbacv1.ClusterRole{
		aggregated("agg-outer", "agg-test/outer", nil),
		aggregated("agg-inner", "agg-test/inner", map[string]string{"agg-test/outer": "true"}),
		{ObjectMeta: metav1.ObjectMeta{Name: "agg-widgets", Labels: map[string]string{"agg-test/inner": "true"}},
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{"example.com"}, Resources: []string{"widgets"}, Verbs: []string{"get"}}}},
	} {
		if _, err := roles.Create(ctx, r, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	want := func(name string, rules []rbacv1.PolicyRule) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			got, err := roles.Get(ctx, name, metav1.GetOptions{})
			if err == nil && equality.Semantic.DeepEqual(got.Rules, rules) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s rules: %+v, want %+v (err %v)", name, got.Rules, rules, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	widgets := rbacv1.PolicyRule{APIGroups: []string{"example.com"}, Resources: []string{"widgets"}, Verbs: []string{"get"}}
	want("agg-inner", []rbacv1.PolicyRule{widgets})
	want("agg-outer", []rbacv1.PolicyRule{widgets})

	leaf, err := roles.Get(ctx, "agg-widgets", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	leaf.Rules[0].Verbs = []string{"get", "list"}
	if _, err := roles.Update(ctx, leaf, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	widgets.Verbs = []string{"get", "list"}
	want("agg-outer", []rbacv1.PolicyRule{widgets})

	if err := roles.Delete(ctx, "agg-widgets", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	want("agg-outer", []rbacv1.PolicyRule{})
}
