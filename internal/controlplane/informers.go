package controlplane

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	rbaclisters "k8s.io/client-go/listers/rbac/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/hanok-dev/hanok/internal/apiserver/authz/node"
)

// authData is what authentication and authorization read, through informers
// of the loopback client: RBAC objects for the RBAC authorizer; pods (indexed
// by node), claims and volumes for the Node authorizer; service accounts,
// pods, secrets and nodes for service-account tokens; kube-system's secrets
// for bootstrap tokens. One factory, so each kind is listed and watched once.
type authData struct {
	factory informers.SharedInformerFactory

	roles               rbaclisters.RoleLister
	roleBindings        rbaclisters.RoleBindingLister
	clusterRoles        rbaclisters.ClusterRoleLister
	clusterRoleBindings rbaclisters.ClusterRoleBindingLister

	pods            corelisters.PodLister
	podIndexer      cache.Indexer
	pvcs            corelisters.PersistentVolumeClaimLister
	pvs             corelisters.PersistentVolumeLister
	serviceAccounts corelisters.ServiceAccountLister
	secrets         corelisters.SecretLister
	nodes           corelisters.NodeLister

	// informers by what they feed, for event handlers.
	rbacInformers   []cache.SharedIndexInformer // roles, bindings
	bindingInformer []cache.SharedIndexInformer // role bindings, cluster role bindings
	podInformer     cache.SharedIndexInformer
	volumeInformers []cache.SharedIndexInformer // claims, volumes
}

// newAuthData registers the informers (they start with start) and the pod
// index the Node authorizer reads.
func newAuthData(client kubernetes.Interface) (*authData, error) {
	// Resync never: every decision reads the current cache, and periodic
	// resyncs would only replay it into the event handlers.
	f := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithTransform(stripManagedFields))
	core, rbac := f.Core().V1(), f.Rbac().V1()
	d := &authData{factory: f}

	roles, roleBindings := rbac.Roles(), rbac.RoleBindings()
	clusterRoles, clusterRoleBindings := rbac.ClusterRoles(), rbac.ClusterRoleBindings()
	d.roles, d.roleBindings = roles.Lister(), roleBindings.Lister()
	d.clusterRoles, d.clusterRoleBindings = clusterRoles.Lister(), clusterRoleBindings.Lister()
	d.bindingInformer = []cache.SharedIndexInformer{roleBindings.Informer(), clusterRoleBindings.Informer()}
	d.rbacInformers = append([]cache.SharedIndexInformer{roles.Informer(), clusterRoles.Informer()}, d.bindingInformer...)

	pods := core.Pods()
	d.podInformer = pods.Informer()
	if err := d.podInformer.AddIndexers(cache.Indexers{node.NodeNameIndex: node.IndexByNodeName}); err != nil {
		return nil, fmt.Errorf("indexing pods by node: %w", err)
	}
	d.pods, d.podIndexer = pods.Lister(), d.podInformer.GetIndexer()
	pvcs, pvs := core.PersistentVolumeClaims(), core.PersistentVolumes()
	d.pvcs, d.pvs = pvcs.Lister(), pvs.Lister()
	d.volumeInformers = []cache.SharedIndexInformer{pvcs.Informer(), pvs.Informer()}

	sas, secrets, nodes := core.ServiceAccounts(), core.Secrets(), core.Nodes()
	d.serviceAccounts, d.secrets, d.nodes = sas.Lister(), secrets.Lister(), nodes.Lister()
	// Informer() registers each with the factory, so start runs it.
	sas.Informer()
	secrets.Informer()
	nodes.Informer()
	return d, nil
}

// start runs the informers until ctx ends.
func (d *authData) start(ctx context.Context) { d.factory.Start(ctx.Done()) }

// waitForSync blocks until every informer has listed once.
func (d *authData) waitForSync(ctx context.Context) error {
	for typ, ok := range d.factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("informer for %v did not sync: %w", typ, ctx.Err())
		}
	}
	return nil
}

// stripManagedFields drops managedFields from cached objects: no decision
// reads them, and they are a good part of every object's size.
func stripManagedFields(obj any) (any, error) {
	if m, err := meta.Accessor(obj); err == nil && m.GetManagedFields() != nil {
		m.SetManagedFields(nil)
	}
	return obj, nil
}
