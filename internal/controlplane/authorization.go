package controlplane

import (
	"github.com/hanok-dev/hanok/internal/apiserver/authz"
	"github.com/hanok-dev/hanok/internal/apiserver/authz/node"
	"github.com/hanok-dev/hanok/internal/apiserver/authz/rbac"
)

// authorizers are the chain's plugins over the informers, with the event
// handlers that keep their indexes current registered on the informers.
type authorizers struct {
	node *node.Authorizer
	rbac *rbac.Authorizer
}

func newAuthorizers(d *authData) (*authorizers, error) {
	z := &authorizers{
		node: node.New(node.PodIndexer{Indexer: d.podIndexer}, d.pvcs, d.pvs, nil),
		rbac: rbac.New(d.roles, d.roleBindings, d.clusterRoles, d.clusterRoleBindings),
	}
	// RBAC reads roles live and indexes bindings: only binding changes
	// need telling. The Node authorizer snapshots what each node's pods
	// reference: pods, claims and volumes changes need telling.
	for _, inf := range d.bindingInformer {
		if _, err := inf.AddEventHandler(z.rbac.EventHandler()); err != nil {
			return nil, err
		}
	}
	if _, err := d.podInformer.AddEventHandler(z.node.PodEventHandler()); err != nil {
		return nil, err
	}
	for _, inf := range d.volumeInformers {
		if _, err := inf.AddEventHandler(z.node.VolumeEventHandler()); err != nil {
			return nil, err
		}
	}
	return z, nil
}

// authorizer is the chain: system:masters first (it needs no data, so the
// admin and the loopback client are served from the first request), then
// the Node authorizer and RBAC behind the gate. Anonymous access to
// /healthz, /livez, /readyz and /version comes from RBAC
// (system:public-info-viewer), so a cluster admin can take it away.
func (z *authorizers) authorizer(gate *syncGate) authz.Authorizer {
	return authz.Union{
		authz.SystemMasters{},
		gatedAuthorizer{gate: gate, next: authz.Union{z.node, z.rbac}},
	}
}

// rules answers SelfSubjectRulesReview for the same chain.
func (z *authorizers) rules() authz.RuleResolver {
	return authz.RuleResolvers{authz.SystemMasters{}, z.node, z.rbac}
}
