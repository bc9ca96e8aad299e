package controlplane_test

import (
	"strings"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/controlplane"
)

// TestAccessReviews: `kubectl auth can-i` (SelfSubjectAccessReview) and the
// reviews webhooks ask (SubjectAccessReview, LocalSubjectAccessReview).
func TestAccessReviews(t *testing.T) {
	s := server(t)
	admin := s.Client()
	ns := s.CreateNamespace(t)
	ctx := ctxFor(t)
	bindClusterRole(t, admin, ns, "reviewer", "view")
	reviewer := s.ClientFor(t, "reviewer")
	canI := func(verb, group, resource, namespace string) bool {
		t.Helper()
		out, err := reviewer.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, &authorizationv1.SelfSubjectAccessReview{
			Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{
				Verb: verb, Group: group, Resource: resource, Namespace: namespace}}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return out.Status.Allowed
	}
	eventually(t, "the binding takes effect", func() error {
		if !canI("list", "", "pods", ns) {
			return errorf("cannot list pods yet")
		}
		return nil
	})
	tests := []struct {
		verb, group, resource, ns string
		want                      bool
	}{
		{"get", "", "pods", ns, true},
		{"watch", "apps", "deployments", ns, true},
		{"watch", "", "deployments", ns, false}, // no such thing in the core group
		{"delete", "", "pods", ns, false},
		{"get", "", "secrets", ns, false},
		{"list", "", "pods", "default", false},
		{"create", "authorization.k8s.io", "selfsubjectaccessreviews", "", true}, // system:basic-user
	}
	for _, tt := range tests {
		t.Run(tt.verb+" "+tt.group+"/"+tt.resource+" in "+tt.ns, func(t *testing.T) {
			if got := canI(tt.verb, tt.group, tt.resource, tt.ns); got != tt.want {
				t.Fatalf("can-i = %v, want %v", got, tt.want)
			}
		})
	}

	// The admin asks about the reviewer, cluster-wide and in the namespace.
	sar, err := admin.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User: "reviewer", ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "list", Resource: "pods", Namespace: ns}}}, metav1.CreateOptions{})
	if err != nil || !sar.Status.Allowed || !strings.Contains(sar.Status.Reason, "RoleBinding") {
		t.Fatalf("SubjectAccessReview %+v %v", sar, err)
	}
	lsar, err := admin.AuthorizationV1().LocalSubjectAccessReviews(ns).Create(ctx, &authorizationv1.LocalSubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User: "reviewer", ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "delete", Resource: "pods", Namespace: ns}}}, metav1.CreateOptions{})
	if err != nil || lsar.Status.Allowed {
		t.Fatalf("LocalSubjectAccessReview %+v %v", lsar, err)
	}
	// The reviewer may not ask about others (view grants no SubjectAccessReview).
	if _, err := reviewer.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{}); err == nil {
		t.Fatal("a viewer created a SubjectAccessReview")
	}
}

// TestRulesReview: `kubectl auth can-i --list`.
func TestRulesReview(t *testing.T) {
	s := server(t)
	ns := s.CreateNamespace(t)
	ctx := ctxFor(t)
	bindClusterRole(t, s.Client(), ns, "lister", "view")
	review := func(t *testing.T, c *clientsetFor) authorizationv1.SubjectRulesReviewStatus {
		t.Helper()
		out, err := c.AuthorizationV1().SelfSubjectRulesReviews().Create(ctx, &authorizationv1.SelfSubjectRulesReview{
			Spec: authorizationv1.SelfSubjectRulesReviewSpec{Namespace: ns}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return out.Status
	}
	allows := func(st authorizationv1.SubjectRulesReviewStatus, verb, resource string) bool {
		for _, r := range st.ResourceRules {
			if contains(r.Verbs, verb) && contains(r.Resources, resource) {
				return true
			}
		}
		return false
	}
	lister := newClientset(t, s.RESTConfigFor(t, "lister"))
	eventually(t, "the binding shows", func() error {
		if !allows(review(t, lister), "list", "pods") {
			return errorf("no list pods rule yet")
		}
		return nil
	})
	st := review(t, lister)
	if allows(st, "delete", "pods") || st.Incomplete || st.EvaluationError != "" || len(st.NonResourceRules) == 0 {
		t.Fatalf("viewer's rules %+v", st)
	}
	if st := review(t, newClientset(t, s.RESTConfig())); !allows(st, "*", "*") {
		t.Fatalf("admin's rules %+v", st)
	}
	nodeCfg, err := controlplane.ClientConfig(s.PKI(), s.URL(), controlplane.NodeIdentity("node-r"))
	if err != nil {
		t.Fatal(err)
	}
	if st := review(t, newClientset(t, nodeCfg)); !st.Incomplete || st.EvaluationError == "" {
		t.Fatalf("a node's rules must be marked incomplete: %+v", st)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
