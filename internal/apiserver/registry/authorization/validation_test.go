package authorization

import (
	"context"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func TestValidation(t *testing.T) {
	pods := &authorizationv1.ResourceAttributes{Verb: "get", Resource: "pods", Namespace: "dev"}
	healthz := &authorizationv1.NonResourceAttributes{Verb: "get", Path: "/healthz"}
	withMeta := func(name, ns string) metav1.ObjectMeta { return metav1.ObjectMeta{Name: name, Namespace: ns} }
	tests := []struct {
		name string
		kind string
		obj  runtime.Object
		want []registrytest.WantErr
	}{
		{"ssar with resource attributes", "SelfSubjectAccessReview", &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: pods}}, nil},
		{"ssar asking nothing", "SelfSubjectAccessReview", &authorizationv1.SelfSubjectAccessReview{},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.resourceAttributes"}}},
		{"ssar asking both", "SelfSubjectAccessReview", &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: pods, NonResourceAttributes: healthz}},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.nonResourceAttributes"}}},
		{"ssar with a name", "SelfSubjectAccessReview", &authorizationv1.SelfSubjectAccessReview{ObjectMeta: withMeta("x", ""), Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: pods}},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "metadata"}}},
		{"sar about nobody", "SubjectAccessReview", &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{NonResourceAttributes: healthz}},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.user"}}},
		{"sar about a group", "SubjectAccessReview", &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{Groups: []string{"g"}, NonResourceAttributes: healthz}}, nil},
		{"lsar in its namespace", "LocalSubjectAccessReview", &authorizationv1.LocalSubjectAccessReview{ObjectMeta: withMeta("", "dev"), Spec: authorizationv1.SubjectAccessReviewSpec{User: "u", ResourceAttributes: pods}}, nil},
		{"lsar about another namespace", "LocalSubjectAccessReview", &authorizationv1.LocalSubjectAccessReview{ObjectMeta: withMeta("", "prod"), Spec: authorizationv1.SubjectAccessReviewSpec{User: "u", ResourceAttributes: pods}},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.resourceAttributes.namespace"}}},
		{"lsar about a path", "LocalSubjectAccessReview", &authorizationv1.LocalSubjectAccessReview{ObjectMeta: withMeta("", "dev"), Spec: authorizationv1.SubjectAccessReviewSpec{User: "u", NonResourceAttributes: healthz}},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.nonResourceAttributes"}}},
		{"lsar with a name", "LocalSubjectAccessReview", &authorizationv1.LocalSubjectAccessReview{ObjectMeta: withMeta("x", "dev"), Spec: authorizationv1.SubjectAccessReviewSpec{User: "u", ResourceAttributes: pods}},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "metadata"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := resource(t, tt.kind)
			registrytest.CheckErrors(t, res.Strategy.Validate(context.Background(), tt.obj), tt.want...)
		})
	}
}
