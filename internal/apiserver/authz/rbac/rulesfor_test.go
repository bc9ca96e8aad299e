package rbac

import (
	"reflect"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

func TestRulesFor(t *testing.T) {
	z := newTestAuthorizer(t, fixture()...)
	podReader := authorizationv1.ResourceRule{Verbs: l("get", "list", "watch"), APIGroups: l(""), Resources: l("pods", "pods/log")}
	metrics := authorizationv1.NonResourceRule{Verbs: l("get"), NonResourceURLs: l("/metrics", "/debug/*")}
	editor := authorizationv1.ResourceRule{Verbs: l("create", "update", "delete"), APIGroups: l("apps"), Resources: l("deployments", "deployments/scale")}

	tests := []struct {
		name        string
		user        *authn.User
		namespace   string
		resource    []authorizationv1.ResourceRule
		nonResource []authorizationv1.NonResourceRule
		err         string
	}{
		{"cluster rules only without namespace", user("alice"), "", []authorizationv1.ResourceRule{podReader}, []authorizationv1.NonResourceRule{metrics}, ""},
		{"binding named twice counts once", user("bob", "devs"), "ns1", []authorizationv1.ResourceRule{editor, editor}, nil, ""},
		{"namespace adds role bindings", user("bob"), "ns1", []authorizationv1.ResourceRule{editor, editor}, nil, ""},
		{"nothing", user("eve"), "ns1", nil, nil, ""},
		{"errors are reported with what resolved", user("carol"), "ns2", nil, nil,
			`[clusterrole.rbac.authorization.k8s.io "missing" not found, role.rbac.authorization.k8s.io "nope" not found, unsupported role reference kind: "Secret"]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, nr, incomplete, err := z.RulesFor(tc.user, tc.namespace)
			if incomplete {
				t.Error("RBAC rules are never incomplete")
			}
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tc.err {
				t.Errorf("err = %q, want %q", gotErr, tc.err)
			}
			if !reflect.DeepEqual(r, tc.resource) || !reflect.DeepEqual(nr, tc.nonResource) {
				t.Errorf("got %v %v, want %v %v", r, nr, tc.resource, tc.nonResource)
			}
		})
	}

	// A rule with both resources and URLs is reported in both lists.
	z = newTestAuthorizer(t, clusterRole("both", rbacv1.PolicyRule{Verbs: l("get"), APIGroups: l(""), Resources: l("pods"), NonResourceURLs: l("/x")}),
		crb("both", "both", userSubject("u")))
	r, nr, _, _ := z.RulesFor(user("u"), "")
	if len(r) != 1 || len(nr) != 1 {
		t.Errorf("split rule: %v %v", r, nr)
	}
}
