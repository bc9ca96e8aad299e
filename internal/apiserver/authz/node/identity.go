package node

import (
	"strings"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// Node identities, as upstream names them.
const (
	NodeUserPrefix = "system:node:"
	NodesGroup     = "system:nodes"
	// LeaseNamespace holds the kubelets' heartbeat Leases.
	LeaseNamespace = "kube-node-lease"
)

// Identity returns the node a user speaks for. isNode is true for a user
// named system:node:<name> in group system:nodes; name may then be empty,
// which identifies no node.
func Identity(u *authn.User) (name string, isNode bool) {
	if u == nil || !strings.HasPrefix(u.Name, NodeUserPrefix) || !u.InGroup(NodesGroup) {
		return "", false
	}
	return strings.TrimPrefix(u.Name, NodeUserPrefix), true
}
