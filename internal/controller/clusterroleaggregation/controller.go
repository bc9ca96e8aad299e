package clusterroleaggregation

import (
	"context"
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	rbacclient "k8s.io/client-go/kubernetes/typed/rbac/v1"
	rbaclisters "k8s.io/client-go/listers/rbac/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/hanok-dev/hanok/internal/apiserver/authz/rbac"
	"github.com/hanok-dev/hanok/internal/controller"
)

// Name is the controller's name and service account.
const Name = "clusterrole-aggregation-controller"

// Controller keeps aggregated ClusterRoles' rules up to date.
type Controller struct {
	roles  rbaclisters.ClusterRoleLister
	synced cache.InformerSynced
	client rbacclient.ClusterRolesGetter
	loop   *controller.Loop
}

// New registers the ClusterRole informer on c.Informers.
func New(c controller.Context) (*Controller, error) {
	inf := c.Informers.Rbac().V1().ClusterRoles()
	ctl := &Controller{roles: inf.Lister(), synced: inf.Informer().HasSynced, client: c.Client.RbacV1()}
	ctl.loop = controller.NewLoop(Name, ctl.sync)
	// Any role's change may change what an aggregated role gathers, so
	// every event re-queues every aggregated role; there are few of them.
	enqueueAggregated := func(any) { ctl.enqueueAggregated() }
	if _, err := inf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueueAggregated,
		UpdateFunc: func(_, obj any) { enqueueAggregated(obj) },
		DeleteFunc: enqueueAggregated,
	}); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	return ctl, nil
}

// Run implements controller.Controller.
func (c *Controller) Run(ctx context.Context, workers int) { c.loop.Run(ctx, workers, c.synced) }

func (c *Controller) enqueueAggregated() {
	all, err := c.roles.List(labels.Everything())
	if err != nil {
		return
	}
	for _, r := range all {
		if r.AggregationRule != nil {
			c.loop.Queue.Add(r.Name)
		}
	}
}

// sync writes the aggregated rules of the ClusterRole named key, when they
// differ from what it holds. Nested aggregation settles as each write
// re-queues the roles that gather from the one written.
func (c *Controller) sync(ctx context.Context, key string) error {
	target, err := c.roles.Get(key)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	all, err := c.roles.List(labels.Everything())
	if err != nil {
		return err
	}
	rules, changed := rbac.Aggregate(target, all)
	if !changed {
		return nil
	}
	updated := target.DeepCopy()
	updated.Rules = rules
	if updated.Rules == nil {
		updated.Rules = []rbacv1.PolicyRule{}
	}
	_, err = c.client.ClusterRoles().Update(ctx, updated, metav1.UpdateOptions{FieldManager: Name})
	return err
}
