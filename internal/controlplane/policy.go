package controlplane

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"

	"github.com/hanok-dev/hanok/internal/apiserver/authz/bootstrappolicy"
)

// policyAttempts bounds how often reconciliation starts over after losing
// a race (another server of an HA pair, or a user, wrote the same object).
const policyAttempts = 5

// policyWriters is how many policy writes are in flight at once.
const policyWriters = 64

// reconcilePolicy brings the cluster's RBAC objects back to the bootstrap
// policy (bootstrappolicy.Reconcile decides what to write) through the
// loopback client, so every write takes the API's create/update path. It
// runs at every start: a restart after an upgrade adds what the new policy
// has, and repairs what a user removed, without taking away what users
// added. The first attempt compares with the synced informers (no extra
// reads on the common restart, where nothing changes); after losing a race
// it reads live. It returns the objects it wrote, as stored.
func reconcilePolicy(ctx context.Context, client kubernetes.Interface, cached bootstrappolicy.Policy) ([]runtime.Object, error) {
	existing := cached
	var lastErr error
	for attempt := 0; attempt < policyAttempts; attempt++ {
		if attempt > 0 {
			var err error
			if existing, err = readPolicy(ctx, client); err != nil {
				return nil, err
			}
		}
		plan, err := bootstrappolicy.Reconcile(existing, bootstrappolicy.Default())
		if err != nil {
			return nil, err
		}
		for _, p := range plan.Protected {
			log.Infof("bootstrap RBAC policy: leaving %s alone (autoupdate=false)", p)
		}
		written, err := applyConcurrently(ctx, client, plan.Changes)
		if err == nil {
			if len(written) > 0 {
				log.Infof("bootstrap RBAC policy: wrote %d objects", len(written))
			}
			return written, nil
		}
		if !apierrors.IsConflict(err) && !apierrors.IsAlreadyExists(err) && !apierrors.IsNotFound(err) {
			return nil, err
		}
		lastErr = err // someone else wrote meanwhile: read again
	}
	return nil, fmt.Errorf("bootstrap RBAC policy: still conflicting after %d attempts: %w", policyAttempts, lastErr)
}

// cachedPolicy is what the synced informers hold.
func cachedPolicy(d *authData) (bootstrappolicy.Policy, error) {
	var p bootstrappolicy.Policy
	var err error
	if p.ClusterRoles, err = d.clusterRoles.List(labels.Everything()); err != nil {
		return p, err
	}
	if p.ClusterRoleBindings, err = d.clusterRoleBindings.List(labels.Everything()); err != nil {
		return p, err
	}
	if p.Roles, err = d.roles.List(labels.Everything()); err != nil {
		return p, err
	}
	p.RoleBindings, err = d.roleBindings.List(labels.Everything())
	return p, err
}

// readPolicy lists what the cluster holds, live (not from the informers,
// which may not have seen our own last attempt's writes yet).
func readPolicy(ctx context.Context, client kubernetes.Interface) (bootstrappolicy.Policy, error) {
	var p bootstrappolicy.Policy
	rbac := client.RbacV1()
	crs, err := rbac.ClusterRoles().List(ctx, metav1.ListOptions{})
	if err != nil {
		return p, err
	}
	crbs, err := rbac.ClusterRoleBindings().List(ctx, metav1.ListOptions{})
	if err != nil {
		return p, err
	}
	rs, err := rbac.Roles("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return p, err
	}
	rbs, err := rbac.RoleBindings("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return p, err
	}
	for i := range crs.Items {
		p.ClusterRoles = append(p.ClusterRoles, &crs.Items[i])
	}
	for i := range crbs.Items {
		p.ClusterRoleBindings = append(p.ClusterRoleBindings, &crbs.Items[i])
	}
	for i := range rs.Items {
		p.Roles = append(p.Roles, &rs.Items[i])
	}
	for i := range rbs.Items {
		p.RoleBindings = append(p.RoleBindings, &rbs.Items[i])
	}
	return p, nil
}

// applyConcurrently performs the plan's writes all at once (up to
// policyWriters in flight): etcd commits concurrent writes together, so a
// first start writes its ~110 objects in a few disk syncs instead of one
// each. The plan orders roles before the bindings that reference them;
// that order does not matter here, because nobody but system:masters is
// served (the gate is shut) until every write is done and in the informers.
func applyConcurrently(ctx context.Context, client kubernetes.Interface, changes []bootstrappolicy.Change) ([]runtime.Object, error) {
	out := make([]runtime.Object, len(changes))
	errs := make([]error, len(changes))
	sem := make(chan struct{}, policyWriters)
	var wg sync.WaitGroup
	for i := range changes {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i], errs[i] = applyChange(ctx, client, changes[i])
		}()
	}
	wg.Wait()
	var written []runtime.Object
	for i := range changes {
		if errs[i] != nil {
			return written, fmt.Errorf("bootstrap RBAC policy: %s %s: %w", changes[i].Op, describeObject(changes[i].Object), errs[i])
		}
		written = append(written, out[i])
	}
	return written, nil
}

// applyChange performs one write. A recreate deletes the binding whose
// roleRef (immutable) is wrong, only if it is still the one we read (UID
// precondition), and creates the right one.
func applyChange(ctx context.Context, client kubernetes.Interface, c bootstrappolicy.Change) (runtime.Object, error) {
	rbac := client.RbacV1()
	if c.Op == bootstrappolicy.Recreate {
		m, err := meta.Accessor(c.Existing)
		if err != nil {
			return nil, err
		}
		opts := metav1.DeleteOptions{Preconditions: metav1.NewUIDPreconditions(string(m.GetUID()))}
		switch c.Existing.(type) {
		case *rbacv1.ClusterRoleBinding:
			err = rbac.ClusterRoleBindings().Delete(ctx, m.GetName(), opts)
		case *rbacv1.RoleBinding:
			err = rbac.RoleBindings(m.GetNamespace()).Delete(ctx, m.GetName(), opts)
		default:
			return nil, fmt.Errorf("cannot recreate a %T", c.Existing)
		}
		if err != nil && !apierrors.IsNotFound(err) {
			return nil, err
		}
	}
	obj := c.Object.DeepCopyObject()
	if c.Op != bootstrappolicy.Update {
		// A new object: whatever identity the plan carried over is the old one's.
		m, _ := meta.Accessor(obj)
		m.SetResourceVersion("")
		m.SetUID("")
	}
	create, update := metav1.CreateOptions{FieldManager: policyManager}, metav1.UpdateOptions{FieldManager: policyManager}
	isUpdate := c.Op == bootstrappolicy.Update
	switch o := obj.(type) {
	case *rbacv1.ClusterRole:
		if isUpdate {
			return rbac.ClusterRoles().Update(ctx, o, update)
		}
		return rbac.ClusterRoles().Create(ctx, o, create)
	case *rbacv1.ClusterRoleBinding:
		if isUpdate {
			return rbac.ClusterRoleBindings().Update(ctx, o, update)
		}
		return rbac.ClusterRoleBindings().Create(ctx, o, create)
	case *rbacv1.Role:
		if isUpdate {
			return rbac.Roles(o.Namespace).Update(ctx, o, update)
		}
		return rbac.Roles(o.Namespace).Create(ctx, o, create)
	case *rbacv1.RoleBinding:
		if isUpdate {
			return rbac.RoleBindings(o.Namespace).Update(ctx, o, update)
		}
		return rbac.RoleBindings(o.Namespace).Create(ctx, o, create)
	}
	return nil, fmt.Errorf("not an RBAC object: %T", obj)
}

// policyManager owns the fields the bootstrap policy writes.
const policyManager = "hanok-bootstrap-policy"

func describeObject(obj runtime.Object) string {
	m, err := meta.Accessor(obj)
	if err != nil {
		return fmt.Sprintf("%T", obj)
	}
	kind := reflect.TypeOf(obj).Elem().Name()
	if m.GetNamespace() != "" {
		return kind + " " + m.GetNamespace() + "/" + m.GetName()
	}
	return kind + " " + m.GetName()
}

// waitForPolicy blocks until the informers hold every object written (at
// the version written, or a later one), so that the first decision after
// start-up already sees the policy.
func waitForPolicy(ctx context.Context, d *authData, written []runtime.Object) error {
	for _, obj := range written {
		for !cached(d, obj) {
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s in the informers: %w", describeObject(obj), ctx.Err())
			case <-time.After(2 * time.Millisecond):
			}
		}
	}
	return nil
}

// cached tells whether the informers have obj at its resourceVersion or
// later. Versions are compared as numbers: they are this server's own etcd
// revisions.
func cached(d *authData, obj runtime.Object) bool {
	m, err := meta.Accessor(obj)
	if err != nil {
		return true
	}
	var got metav1.Object
	switch obj.(type) {
	case *rbacv1.ClusterRole:
		got, err = d.clusterRoles.Get(m.GetName())
	case *rbacv1.ClusterRoleBinding:
		got, err = d.clusterRoleBindings.Get(m.GetName())
	case *rbacv1.Role:
		got, err = d.roles.Roles(m.GetNamespace()).Get(m.GetName())
	case *rbacv1.RoleBinding:
		got, err = d.roleBindings.RoleBindings(m.GetNamespace()).Get(m.GetName())
	default:
		return true
	}
	if err != nil {
		return false
	}
	return revision(got.GetResourceVersion()) >= revision(m.GetResourceVersion())
}

func revision(rv string) uint64 {
	var n uint64
	for _, c := range rv {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + uint64(c-'0')
	}
	return n
}
