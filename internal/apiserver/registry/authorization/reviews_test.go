package authorization

import (
	"strings"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

func podAttrs(verb, ns string) *authorizationv1.ResourceAttributes {
	return &authorizationv1.ResourceAttributes{Verb: verb, Resource: "pods", Namespace: ns}
}

func TestSelfSubjectAccessReview(t *testing.T) {
	res := resource(t, "SelfSubjectAccessReview")
	tests := []struct {
		name        string
		user        *authn.User
		spec        authorizationv1.SelfSubjectAccessReviewSpec
		wantAllowed bool
		wantReason  string
	}{
		{"admin may do anything", admin, authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: podAttrs("delete", "prod")}, true, ""},
		{"alice may list pods in dev", alice, authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: podAttrs("list", "dev")}, true, `RBAC: allowed by RoleBinding "alice-reads/dev"`},
		{"but not delete them", alice, authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: podAttrs("delete", "dev")}, false, ""},
		{"nor list them elsewhere", alice, authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: podAttrs("list", "prod")}, false, ""},
		{"non-resource path", alice, authorizationv1.SelfSubjectAccessReviewSpec{NonResourceAttributes: &authorizationv1.NonResourceAttributes{Path: "/healthz", Verb: "get"}}, false, ""},
		{"a node is told why not", node1, authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "get", Resource: "secrets", Namespace: "dev", Name: "s"}}, false, "no relationship found between node 'n1'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := create(t, res, tt.user, &authorizationv1.SelfSubjectAccessReview{Spec: tt.spec})
			if err != nil {
				t.Fatal(err)
			}
			st := out.(*authorizationv1.SelfSubjectAccessReview).Status
			if st.Allowed != tt.wantAllowed || !strings.Contains(st.Reason, tt.wantReason) || st.Denied {
				t.Fatalf("status %+v", st)
			}
		})
	}
	if _, err := res.Create(t.Context(), &authorizationv1.SelfSubjectAccessReview{}); !apierrors.IsBadRequest(err) {
		t.Fatalf("a review without a user on the request: %v, want 400", err)
	}
}

func TestSubjectAccessReview(t *testing.T) {
	res := resource(t, "SubjectAccessReview")
	tests := []struct {
		name        string
		spec        authorizationv1.SubjectAccessReviewSpec
		wantAllowed bool
	}{
		{"about alice", authorizationv1.SubjectAccessReviewSpec{User: "alice", ResourceAttributes: podAttrs("get", "dev")}, true},
		{"about alice, wrong verb", authorizationv1.SubjectAccessReviewSpec{User: "alice", ResourceAttributes: podAttrs("create", "dev")}, false},
		{"about a group", authorizationv1.SubjectAccessReviewSpec{Groups: []string{"ops"}, NonResourceAttributes: &authorizationv1.NonResourceAttributes{Path: "/healthz", Verb: "get"}}, true},
		{"about masters", authorizationv1.SubjectAccessReviewSpec{User: "x", Groups: []string{authn.SystemMasters}, ResourceAttributes: podAttrs("delete", "dev")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The asker is someone else entirely: the answer is about the spec's user.
			out, err := create(t, res, admin, &authorizationv1.SubjectAccessReview{Spec: tt.spec})
			if err != nil {
				t.Fatal(err)
			}
			if st := out.(*authorizationv1.SubjectAccessReview).Status; st.Allowed != tt.wantAllowed {
				t.Fatalf("status %+v", st)
			}
		})
	}
}

func TestLocalSubjectAccessReview(t *testing.T) {
	res := resource(t, "LocalSubjectAccessReview")
	tests := []struct {
		name        string
		ns          string
		wantAllowed bool
	}{
		{"in dev", "dev", true},
		{"in prod", "prod", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sar := &authorizationv1.LocalSubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: "alice", ResourceAttributes: podAttrs("list", tt.ns)}}
			sar.Namespace = tt.ns // as the handler sets it from the URL
			out, err := create(t, res, admin, sar)
			if err != nil {
				t.Fatal(err)
			}
			if st := out.(*authorizationv1.LocalSubjectAccessReview).Status; st.Allowed != tt.wantAllowed {
				t.Fatalf("status %+v", st)
			}
		})
	}
}

func TestSelfSubjectRulesReview(t *testing.T) {
	res := resource(t, "SelfSubjectRulesReview")
	tests := []struct {
		name           string
		user           *authn.User
		ns             string
		wantRules      []string // verbs/resources of each resource rule
		wantIncomplete bool
		wantEvalErr    string
	}{
		{"admin has everything", admin, "dev", []string{"*/*"}, false, ""},
		{"alice in dev", alice, "dev", []string{"get,list/pods"}, false, ""},
		{"alice elsewhere", alice, "prod", nil, false, ""},
		{"a node's list is incomplete", node1, "dev", nil, true, "node authorizer does not support user rule resolution"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &authorizationv1.SelfSubjectRulesReview{Spec: authorizationv1.SelfSubjectRulesReviewSpec{Namespace: tt.ns}}
			out, err := create(t, res, tt.user, in)
			if err != nil {
				t.Fatal(err)
			}
			st := out.(*authorizationv1.SelfSubjectRulesReview).Status
			var got []string
			for _, r := range st.ResourceRules {
				got = append(got, strings.Join(r.Verbs, ",")+"/"+strings.Join(r.Resources, ","))
			}
			if strings.Join(got, " ") != strings.Join(tt.wantRules, " ") || st.Incomplete != tt.wantIncomplete || st.EvaluationError != tt.wantEvalErr {
				t.Fatalf("rules %v incomplete=%v error=%q", got, st.Incomplete, st.EvaluationError)
			}
		})
	}
	_, err := create(t, res, alice, &authorizationv1.SelfSubjectRulesReview{})
	if !apierrors.IsBadRequest(err) {
		t.Fatalf("no namespace: %v, want 400", err)
	}
}
