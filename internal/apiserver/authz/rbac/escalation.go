package rbac

import (
	"context"
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/authz"
)

// EscalationGuard refuses RBAC writes that would grant more than their
// author holds, as upstream's RBAC storage does: a Role or ClusterRole may
// only carry rules its author already has (unless they may "escalate" it),
// and a binding may only reference a role whose rules its author already
// has (unless they may "bind" it). system:masters may do anything.
// Setting a ClusterRole's aggregationRule needs full authority, since the
// role will gather whatever is labelled for it later.
//
// It is a validating step of the write path (it sees the decoded object
// and the user), placed with the admission plugins but never disabled.
type EscalationGuard struct {
	// Authorizer is the server's whole chain, asked about "escalate" and
	// "bind".
	Authorizer authz.Authorizer
	// RBAC resolves the author's rules and the referenced roles'.
	RBAC *Authorizer
}

var fullAuthority = []rbacv1.PolicyRule{
	{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}},
	{Verbs: []string{"*"}, NonResourceURLs: []string{"*"}},
}

// Validate implements admission.Validator.
func (g *EscalationGuard) Validate(ctx context.Context, a *admission.Attributes) error {
	if a.Resource.Group != rbacv1.GroupName || a.Subresource != "" ||
		(a.Operation != admission.Create && a.Operation != admission.Update) || a.User == nil {
		return nil
	}
	for _, group := range a.User.Groups {
		if group == authn.SystemMasters {
			return nil
		}
	}
	switch obj := a.Object.(type) {
	case *rbacv1.Role:
		if g.allowed(ctx, a, "escalate", "roles", obj.Name) {
			return nil
		}
		return g.confirm(a, obj.Namespace, obj.Rules)
	case *rbacv1.ClusterRole:
		if g.allowed(ctx, a, "escalate", "clusterroles", obj.Name) {
			return nil
		}
		if obj.AggregationRule != nil {
			if err := g.confirm(a, "", fullAuthority); err != nil {
				return admission.NewForbidden(a, fmt.Errorf("must have cluster-admin privileges to use the aggregationRule"))
			}
			return nil
		}
		return g.confirm(a, "", obj.Rules)
	case *rbacv1.RoleBinding:
		return g.confirmBind(ctx, a, obj.RoleRef, obj.Namespace)
	case *rbacv1.ClusterRoleBinding:
		return g.confirmBind(ctx, a, obj.RoleRef, "")
	}
	return nil
}

// allowed asks whether the author holds verb (escalate, bind) on the role.
func (g *EscalationGuard) allowed(ctx context.Context, a *admission.Attributes, verb, resource, name string) bool {
	d, _, _ := g.Authorizer.Authorize(ctx, authz.Attributes{
		User: a.User, Verb: verb, ResourceRequest: true,
		APIGroup: rbacv1.GroupName, Resource: resource, Namespace: a.Namespace, Name: name,
	})
	return d == authz.Allow
}

func (g *EscalationGuard) confirmBind(ctx context.Context, a *admission.Attributes, ref rbacv1.RoleRef, namespace string) error {
	resource := "clusterroles"
	if ref.Kind == "Role" {
		resource = "roles"
	}
	// Asked in the binding's namespace, whatever the role's kind: "bind"
	// on a ClusterRole granted by a RoleBinding lets one bind it there.
	d, _, _ := g.Authorizer.Authorize(ctx, authz.Attributes{
		User: a.User, Verb: "bind", ResourceRequest: true,
		APIGroup: rbacv1.GroupName, Resource: resource, Namespace: namespace, Name: ref.Name,
	})
	if d == authz.Allow {
		return nil
	}
	rules, err := g.RBAC.roleRules(ref, namespace)
	if err != nil {
		return admission.NewForbidden(a, err)
	}
	return g.confirm(a, namespace, rules)
}

// confirm refuses unless the author holds every rule in namespace.
func (g *EscalationGuard) confirm(a *admission.Attributes, namespace string, rules []rbacv1.PolicyRule) error {
	owner, resolveErr := g.RBAC.Rules(a.User, namespace)
	var missing []rbacv1.PolicyRule
	for _, r := range rules {
		missing = append(missing, Uncovered(owner, r)...)
	}
	if len(missing) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "user %q (groups=%s) is attempting to grant RBAC permissions not currently held:", a.User.Name, quoteAll(a.User.Groups))
	for _, r := range missing {
		b.WriteString("\n" + describeRule(r))
	}
	if resolveErr != nil {
		fmt.Fprintf(&b, "; resolution errors: %v", resolveErr)
	}
	return apierrors.NewForbidden(a.Resource.GroupResource(), a.Name, fmt.Errorf("%s", b.String()))
}

// describeRule prints a rule as upstream's escalation message does:
// {APIGroups:[""], Resources:["secrets"], Verbs:["get"]}.
func describeRule(r rbacv1.PolicyRule) string {
	var parts []string
	if len(r.NonResourceURLs) > 0 {
		parts = append(parts, "NonResourceURLs:"+quoteAll(r.NonResourceURLs))
	} else {
		parts = append(parts, "APIGroups:"+quoteAll(r.APIGroups), "Resources:"+quoteAll(r.Resources))
		if len(r.ResourceNames) > 0 {
			parts = append(parts, "ResourceNames:"+quoteAll(r.ResourceNames))
		}
	}
	parts = append(parts, "Verbs:"+quoteAll(r.Verbs))
	return "{" + strings.Join(parts, ", ") + "}"
}

func quoteAll(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, " ") + "]"
}
