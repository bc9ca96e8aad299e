package rbac

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/authz"
)

// Authorizer is the RBAC authorizer. It is safe for concurrent use.
type Authorizer struct {
	roles               RoleGetter
	roleBindings        RoleBindingLister
	clusterRoles        ClusterRoleGetter
	clusterRoleBindings ClusterRoleBindingLister

	// Generations start at 1 so that a missing snapshot (gen 0) is stale.
	clusterGen, nsGen atomic.Uint64
	cluster           atomic.Pointer[clusterSnapshot]
	namespaced        atomic.Pointer[namespaceSnapshot]
	rebuildMu         sync.Mutex
}

var _ authz.Authorizer = (*Authorizer)(nil)

// New returns an RBAC authorizer reading from the given sources. Register
// EventHandler (or call Invalidate) for binding changes; see the package doc.
func New(roles RoleGetter, roleBindings RoleBindingLister, clusterRoles ClusterRoleGetter, clusterRoleBindings ClusterRoleBindingLister) *Authorizer {
	a := &Authorizer{roles: roles, roleBindings: roleBindings, clusterRoles: clusterRoles, clusterRoleBindings: clusterRoleBindings}
	a.clusterGen.Store(1)
	a.nsGen.Store(1)
	return a
}

// candidateBuffer sizes the stack buffer for bindings naming one user; more
// spill to the heap, which only costs an allocation.
const candidateBuffer = 16

// Authorize allows the request if any rule bound to the user allows it;
// otherwise it has no opinion, and the reason lists the bindings whose role
// could not be resolved (for example `RBAC: clusterrole.rbac.authorization.k8s.io "x" not found`).
func (a *Authorizer) Authorize(_ context.Context, attrs authz.Attributes) (authz.Decision, string, error) {
	u := attrs.User
	if u == nil {
		return authz.NoOpinion, "", nil
	}
	var errs []error
	var buf [candidateBuffer]*binding

	if cs, err := a.clusterIndex(); err != nil {
		errs = append(errs, err)
	} else {
		for _, b := range cs.idx.collect(u, buf[:0]) {
			rules, err := a.roleRules(b.roleRef, "")
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if anyRuleAllows(&attrs, rules) {
				return authz.Allow, allowedReason(b, u), nil
			}
		}
	}

	if attrs.Namespace != "" {
		if ns, err := a.namespaceIndex(); err != nil {
			errs = append(errs, err)
		} else if idx := ns.byNS[attrs.Namespace]; idx != nil {
			for _, b := range idx.collect(u, buf[:0]) {
				rules, err := a.roleRules(b.roleRef, attrs.Namespace)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				if anyRuleAllows(&attrs, rules) {
					return authz.Allow, allowedReason(b, u), nil
				}
			}
		}
	}

	if len(errs) == 0 {
		return authz.NoOpinion, "", nil
	}
	return authz.NoOpinion, "RBAC: " + utilerrors.NewAggregate(errs).Error(), nil
}

func anyRuleAllows(a *authz.Attributes, rules []rbacv1.PolicyRule) bool {
	for i := range rules {
		if ruleAllows(a, &rules[i]) {
			return true
		}
	}
	return false
}

// roleRules resolves a binding's roleRef; namespace is the binding's ("" for
// a ClusterRoleBinding, which can only reference ClusterRoles).
func (a *Authorizer) roleRules(ref rbacv1.RoleRef, namespace string) ([]rbacv1.PolicyRule, error) {
	switch ref.Kind {
	case "Role":
		role, err := a.roles.Roles(namespace).Get(ref.Name)
		if err != nil {
			return nil, err
		}
		if role == nil {
			return nil, apierrors.NewNotFound(rbacv1.Resource("role"), ref.Name)
		}
		return role.Rules, nil
	case "ClusterRole":
		role, err := a.clusterRoles.Get(ref.Name)
		if err != nil {
			return nil, err
		}
		if role == nil {
			return nil, apierrors.NewNotFound(rbacv1.Resource("clusterrole"), ref.Name)
		}
		return role.Rules, nil
	}
	return nil, fmt.Errorf("unsupported role reference kind: %q", ref.Kind)
}

// visit calls fn with the rules of every binding that applies to u in
// namespace (cluster-wide bindings first), or with the error resolving them.
// It is the slow, allocating path used by RulesFor; Authorize inlines it.
func (a *Authorizer) visit(u *authn.User, namespace string, fn func(b *binding, rules []rbacv1.PolicyRule, err error)) {
	if cs, err := a.clusterIndex(); err != nil {
		fn(nil, nil, err)
	} else {
		for _, b := range cs.idx.collect(u, nil) {
			rules, err := a.roleRules(b.roleRef, "")
			fn(b, rules, err)
		}
	}
	if namespace == "" {
		return
	}
	ns, err := a.namespaceIndex()
	if err != nil {
		fn(nil, nil, err)
		return
	}
	if idx := ns.byNS[namespace]; idx != nil {
		for _, b := range idx.collect(u, nil) {
			rules, err := a.roleRules(b.roleRef, namespace)
			fn(b, rules, err)
		}
	}
}
