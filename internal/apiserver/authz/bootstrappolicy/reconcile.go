package bootstrappolicy

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/component-helpers/auth/rbac/reconciliation"
)

// Op is the write a Change asks for.
type Op string

const (
	// Create a missing object.
	Create Op = "create"
	// Update an existing object to Change.Object (it carries the existing
	// resourceVersion, so a concurrent edit fails with a conflict and the
	// caller can reconcile again).
	Update Op = "update"
	// Recreate a binding whose roleRef differs: roleRef is immutable, so
	// delete Change.Existing (with a UID precondition) and create Object.
	Recreate Op = "recreate"
)

// Change is one write that brings the cluster back to the policy.
type Change struct {
	Op       Op
	Object   runtime.Object // *rbacv1.ClusterRole, ClusterRoleBinding, Role or RoleBinding
	Existing runtime.Object // the stored object, for Update and Recreate
}

// Plan is what Reconcile found: the writes, in order (roles before the
// bindings that reference them), and the objects that differ from the policy
// but opted out with autoupdate=false, as "<kind> <namespace>/<name>" for a
// log line.
type Plan struct {
	Changes   []Change
	Protected []string
}

// Reconcile compares the policy the cluster holds (existing) with the one it
// should hold (wanted, normally Default()) and returns the writes needed,
// with upstream's start-up semantics, which keep what users added:
//   - a missing object is created;
//   - a role gains the rules it lacks (rule coverage is compared, not
//     equality, so broader rules a user wrote stand) and the aggregation
//     selectors it lacks; nothing is removed;
//   - a binding gains the subjects it lacks; one whose roleRef differs is
//     recreated;
//   - labels and annotations of the policy are added, the object's own win;
//   - an object annotated rbac.authorization.kubernetes.io/autoupdate=false
//     is left alone and listed in Plan.Protected.
//
// It is pure: it reads only its arguments and never modifies them. The
// comparison is upstream's own (k8s.io/component-helpers reconciliation, run
// as a dry run), so the result is what kube-apiserver would write.
func Reconcile(existing, wanted Policy) (Plan, error) {
	var p Plan
	haveClusterRoles := index(existing.ClusterRoles, func(o *rbacv1.ClusterRole) string { return o.Name })
	for _, r := range wanted.ClusterRoles {
		if o, ok := haveClusterRoles[r.Name]; ok && clusterRoleUpToDate(o, r) {
			continue
		}
		if err := p.role(reconciliation.ClusterRoleRuleOwner{ClusterRole: r.DeepCopy()}, "clusterrole", func(ns, name string) (reconciliation.RuleOwner, bool) {
			o, ok := haveClusterRoles[name]
			if !ok {
				return nil, false
			}
			return reconciliation.ClusterRoleRuleOwner{ClusterRole: o.DeepCopy()}, true
		}); err != nil {
			return Plan{}, err
		}
	}
	haveRoles := index(existing.Roles, func(o *rbacv1.Role) string { return o.Namespace + "/" + o.Name })
	for _, r := range wanted.Roles {
		if o, ok := haveRoles[r.Namespace+"/"+r.Name]; ok && roleUpToDate(o, r) {
			continue
		}
		if err := p.role(reconciliation.RoleRuleOwner{Role: r.DeepCopy()}, "role", func(ns, name string) (reconciliation.RuleOwner, bool) {
			o, ok := haveRoles[ns+"/"+name]
			if !ok {
				return nil, false
			}
			return reconciliation.RoleRuleOwner{Role: o.DeepCopy()}, true
		}); err != nil {
			return Plan{}, err
		}
	}
	haveClusterRoleBindings := index(existing.ClusterRoleBindings, func(o *rbacv1.ClusterRoleBinding) string { return o.Name })
	for _, b := range wanted.ClusterRoleBindings {
		if o, ok := haveClusterRoleBindings[b.Name]; ok && clusterRoleBindingUpToDate(o, b) {
			continue
		}
		if err := p.binding(reconciliation.ClusterRoleBindingAdapter{ClusterRoleBinding: b.DeepCopy()}, "clusterrolebinding", func(ns, name string) (reconciliation.RoleBinding, bool) {
			o, ok := haveClusterRoleBindings[name]
			if !ok {
				return nil, false
			}
			return reconciliation.ClusterRoleBindingAdapter{ClusterRoleBinding: o.DeepCopy()}, true
		}); err != nil {
			return Plan{}, err
		}
	}
	haveRoleBindings := index(existing.RoleBindings, func(o *rbacv1.RoleBinding) string { return o.Namespace + "/" + o.Name })
	for _, b := range wanted.RoleBindings {
		if o, ok := haveRoleBindings[b.Namespace+"/"+b.Name]; ok && roleBindingUpToDate(o, b) {
			continue
		}
		if err := p.binding(reconciliation.RoleBindingAdapter{RoleBinding: b.DeepCopy()}, "rolebinding", func(ns, name string) (reconciliation.RoleBinding, bool) {
			o, ok := haveRoleBindings[ns+"/"+name]
			if !ok {
				return nil, false
			}
			return reconciliation.RoleBindingAdapter{RoleBinding: o.DeepCopy()}, true
		}); err != nil {
			return Plan{}, err
		}
	}
	return p, nil
}

func index[T any](list []T, key func(T) string) map[string]T {
	m := make(map[string]T, len(list))
	for _, o := range list {
		m[key(o)] = o
	}
	return m
}

func (p *Plan) role(want reconciliation.RuleOwner, kind string, get func(ns, name string) (reconciliation.RuleOwner, bool)) error {
	existing, _ := get(want.GetNamespace(), want.GetName())
	res, err := (&reconciliation.ReconcileRoleOptions{
		Role:   want,
		Client: dryRunRoles{get: get, kind: kind},
		// Confirm false: compute only; the caller performs the writes.
	}).Run()
	if err != nil {
		return fmt.Errorf("reconciling %s %s: %w", kind, want.GetName(), err)
	}
	var existingObj runtime.Object
	if existing != nil {
		existingObj = existing.GetObject()
	}
	return p.record(kind, want.GetNamespace(), want.GetName(), res.Operation, res.Protected, res.Role.GetObject(), existingObj)
}

func (p *Plan) binding(want reconciliation.RoleBinding, kind string, get func(ns, name string) (reconciliation.RoleBinding, bool)) error {
	existing, _ := get(want.GetNamespace(), want.GetName())
	res, err := (&reconciliation.ReconcileRoleBindingOptions{
		RoleBinding: want,
		Client:      dryRunBindings{get: get, kind: kind},
	}).Run()
	if err != nil {
		return fmt.Errorf("reconciling %s %s: %w", kind, want.GetName(), err)
	}
	var existingObj runtime.Object
	if existing != nil {
		existingObj = existing.GetObject()
	}
	return p.record(kind, want.GetNamespace(), want.GetName(), res.Operation, res.Protected, res.RoleBinding.GetObject(), existingObj)
}

// record adds what one reconciliation found to the plan: nothing, a
// protected object (autoupdate=false) to report, or a write.
func (p *Plan) record(kind, ns, name string, op reconciliation.ReconcileOperation, protected bool, obj, existing runtime.Object) error {
	if op == reconciliation.ReconcileNone {
		return nil
	}
	if protected {
		p.Protected = append(p.Protected, describe(kind, ns, name))
		return nil
	}
	c := Change{Object: obj}
	switch op {
	case reconciliation.ReconcileCreate:
		c.Op = Create
	case reconciliation.ReconcileUpdate:
		c.Op, c.Existing = Update, existing
	case reconciliation.ReconcileRecreate:
		c.Op, c.Existing = Recreate, existing
	default:
		return fmt.Errorf("reconciling %s %s: unexpected operation %q", kind, name, op)
	}
	p.Changes = append(p.Changes, c)
	return nil
}

func describe(kind, namespace, name string) string {
	if namespace == "" {
		return kind + " " + name
	}
	return kind + " " + namespace + "/" + name
}

// dryRunRoles answers the reconciler's Get from the existing policy. It is
// only ever asked to write when Confirm is set, which Reconcile never does.
type dryRunRoles struct {
	get  func(ns, name string) (reconciliation.RuleOwner, bool)
	kind string
}

func (d dryRunRoles) Get(namespace, name string) (reconciliation.RuleOwner, error) {
	if o, ok := d.get(namespace, name); ok {
		return o, nil
	}
	return nil, apierrors.NewNotFound(rbacv1.Resource(d.kind), name)
}

func (d dryRunRoles) Create(reconciliation.RuleOwner) (reconciliation.RuleOwner, error) {
	return nil, fmt.Errorf("dry run")
}

func (d dryRunRoles) Update(reconciliation.RuleOwner) (reconciliation.RuleOwner, error) {
	return nil, fmt.Errorf("dry run")
}

type dryRunBindings struct {
	get  func(ns, name string) (reconciliation.RoleBinding, bool)
	kind string
}

func (d dryRunBindings) Get(namespace, name string) (reconciliation.RoleBinding, error) {
	if o, ok := d.get(namespace, name); ok {
		return o, nil
	}
	return nil, apierrors.NewNotFound(rbacv1.Resource(d.kind), name)
}

func (d dryRunBindings) Create(reconciliation.RoleBinding) (reconciliation.RoleBinding, error) {
	return nil, fmt.Errorf("dry run")
}

func (d dryRunBindings) Update(reconciliation.RoleBinding) (reconciliation.RoleBinding, error) {
	return nil, fmt.Errorf("dry run")
}

func (d dryRunBindings) Delete(string, string, types.UID) error { return fmt.Errorf("dry run") }
