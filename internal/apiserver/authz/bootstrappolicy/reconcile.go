package bootstrappolicy

import (
	"errors"
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
	clusterRole := func(o *rbacv1.ClusterRole) reconciliation.RuleOwner {
		return reconciliation.ClusterRoleRuleOwner{ClusterRole: o.DeepCopy()}
	}
	role := func(o *rbacv1.Role) reconciliation.RuleOwner { return reconciliation.RoleRuleOwner{Role: o.DeepCopy()} }
	clusterRoleBinding := func(o *rbacv1.ClusterRoleBinding) reconciliation.RoleBinding {
		return reconciliation.ClusterRoleBindingAdapter{ClusterRoleBinding: o.DeepCopy()}
	}
	roleBinding := func(o *rbacv1.RoleBinding) reconciliation.RoleBinding {
		return reconciliation.RoleBindingAdapter{RoleBinding: o.DeepCopy()}
	}
	for _, err := range []error{
		plan(existing.ClusterRoles, wanted.ClusterRoles, clusterRoleUpToDate, clusterRole, "clusterrole", p.role),
		plan(existing.Roles, wanted.Roles, roleUpToDate, role, "role", p.role),
		plan(existing.ClusterRoleBindings, wanted.ClusterRoleBindings, clusterRoleBindingUpToDate, clusterRoleBinding, "clusterrolebinding", p.binding),
		plan(existing.RoleBindings, wanted.RoleBindings, roleBindingUpToDate, roleBinding, "rolebinding", p.binding),
	} {
		if err != nil {
			return Plan{}, err
		}
	}
	return p, nil
}

// plan runs decide (Plan.role or Plan.binding) for every wanted object of
// one kind that is not already up to date, with the existing objects of
// that kind, by namespace and name, as what the dry run reads. T is the
// RBAC type, A what upstream's reconciliation takes (a RuleOwner or a
// RoleBinding).
func plan[T interface {
	*rbacv1.ClusterRole | *rbacv1.Role | *rbacv1.ClusterRoleBinding | *rbacv1.RoleBinding
	GetNamespace() string
	GetName() string
}, A any](existing, wanted []T, upToDate func(have, want T) bool, adapt func(T) A, kind string,
	decide func(want A, kind string, get func(ns, name string) (A, bool)) error) error {
	key := func(o T) string { return o.GetNamespace() + "/" + o.GetName() }
	have := index(existing, key)
	get := func(ns, name string) (A, bool) {
		o, ok := have[ns+"/"+name]
		if !ok {
			var none A
			return none, false
		}
		return adapt(o), true
	}
	for _, w := range wanted {
		if o, ok := have[key(w)]; ok && upToDate(o, w) {
			continue
		}
		if err := decide(adapt(w), kind, get); err != nil {
			return err
		}
	}
	return nil
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
		Client: dryRun[reconciliation.RuleOwner]{get: get, kind: kind},
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
		Client:      dryRun[reconciliation.RoleBinding]{get: get, kind: kind},
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

// dryRun answers the reconciler's Get from the existing policy, for roles
// (A = RuleOwner) and bindings (A = RoleBinding) alike. It is only ever
// asked to write when Confirm is set, which Reconcile never does.
type dryRun[A any] struct {
	get  func(ns, name string) (A, bool)
	kind string
}

func (d dryRun[A]) Get(namespace, name string) (A, error) {
	if o, ok := d.get(namespace, name); ok {
		return o, nil
	}
	var none A
	return none, apierrors.NewNotFound(rbacv1.Resource(d.kind), name)
}

var errDryRun = errors.New("dry run")

func (d dryRun[A]) Create(A) (A, error) {
	var none A
	return none, errDryRun
}

func (d dryRun[A]) Update(A) (A, error) {
	var none A
	return none, errDryRun
}

func (d dryRun[A]) Delete(string, string, types.UID) error { return errDryRun }
