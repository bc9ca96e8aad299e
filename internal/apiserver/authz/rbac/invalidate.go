package rbac

import (
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/cache"
)

// Invalidate tells the authorizer that bindings may have changed; the next
// decision rebuilds the index from the listers. It is cheap (two atomic
// adds) and safe to call from any goroutine, e.g. a watch-cache callback.
func (a *Authorizer) Invalidate() {
	a.clusterGen.Add(1)
	a.nsGen.Add(1)
}

// EventHandler returns an informer handler that invalidates the index when
// a RoleBinding or ClusterRoleBinding changes. It may be registered on the
// Role and ClusterRole informers too: it ignores them, since roles are read
// live on every decision.
func (a *Authorizer) EventHandler() cache.ResourceEventHandler {
	return cache.ResourceEventHandlerFuncs{
		AddFunc: a.invalidateFor,
		UpdateFunc: func(oldObj, newObj any) {
			// Informer resyncs replay unchanged objects; they change nothing.
			if o, ok := oldObj.(interface{ GetResourceVersion() string }); ok {
				if n, ok := newObj.(interface{ GetResourceVersion() string }); ok && o.GetResourceVersion() == n.GetResourceVersion() && o.GetResourceVersion() != "" {
					return
				}
			}
			a.invalidateFor(newObj)
		},
		DeleteFunc: a.invalidateFor,
	}
}

func (a *Authorizer) invalidateFor(obj any) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	switch obj.(type) {
	case *rbacv1.ClusterRoleBinding:
		a.clusterGen.Add(1)
	case *rbacv1.RoleBinding:
		a.nsGen.Add(1)
	case *rbacv1.Role, *rbacv1.ClusterRole:
	default:
		a.Invalidate()
	}
}

// clusterIndex returns an index no older than the last invalidation.
func (a *Authorizer) clusterIndex() (*clusterSnapshot, error) {
	if s := a.cluster.Load(); s != nil && s.gen == a.clusterGen.Load() {
		return s, nil
	}
	a.rebuildMu.Lock()
	defer a.rebuildMu.Unlock()
	// Read the generation before listing: a change that lands during the
	// list bumps it again and the next decision rebuilds once more.
	gen := a.clusterGen.Load()
	if s := a.cluster.Load(); s != nil && s.gen == gen {
		return s, nil
	}
	list, err := a.clusterRoleBindings.List(labels.Everything())
	if err != nil {
		return nil, err
	}
	s := buildClusterSnapshot(gen, list)
	a.cluster.Store(s)
	return s, nil
}

// namespaceIndex is clusterIndex for RoleBindings.
func (a *Authorizer) namespaceIndex() (*namespaceSnapshot, error) {
	if s := a.namespaced.Load(); s != nil && s.gen == a.nsGen.Load() {
		return s, nil
	}
	a.rebuildMu.Lock()
	defer a.rebuildMu.Unlock()
	gen := a.nsGen.Load()
	if s := a.namespaced.Load(); s != nil && s.gen == gen {
		return s, nil
	}
	list, err := a.roleBindings.List(labels.Everything())
	if err != nil {
		return nil, err
	}
	s := buildNamespaceSnapshot(gen, list)
	a.namespaced.Store(s)
	return s, nil
}
