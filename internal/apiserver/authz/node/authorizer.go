package node

import (
	"context"
	"fmt"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/authz"
	"github.com/hanok-dev/hanok/internal/apiserver/authz/bootstrappolicy"
	"github.com/hanok-dev/hanok/internal/apiserver/authz/rbac"
)

// Authorizer is the Node authorizer. It is safe for concurrent use.
type Authorizer struct {
	pods  PodLister
	pvcs  PVCGetter
	pvs   PVGetter
	rules []rbacv1.PolicyRule
	cache snapshots
	// now is the clock for snapshot age; tests replace it.
	now func() time.Time
}

var _ authz.Authorizer = (*Authorizer)(nil)

// New returns a Node authorizer. pvcs and pvs may be nil: then persistent
// volumes are never readable and secrets named only by a volume are not
// either. rules is what a node may do beyond its own objects; nil means
// bootstrappolicy.NodeRules().
//
// Decisions read a per-node snapshot of what the node's pods reference;
// register PodEventHandler on the pod informer and VolumeEventHandler on
// the claim and volume informers (or call InvalidateNode and
// InvalidateVolumes from a watch cache) so that changes show at once.
func New(pods PodLister, pvcs PVCGetter, pvs PVGetter, rules []rbacv1.PolicyRule) *Authorizer {
	if rules == nil {
		rules = bootstrappolicy.NodeRules()
	}
	return &Authorizer{pods: pods, pvcs: pvcs, pvs: pvs, rules: rules, now: time.Now}
}

// Authorize implements authz.Authorizer. Refusals are NoOpinion with a
// reason, never Deny: RBAC may still grant what this authorizer does not.
func (z *Authorizer) Authorize(_ context.Context, a authz.Attributes) (authz.Decision, string, error) {
	node, isNode := Identity(a.User)
	if !isNode {
		return authz.NoOpinion, "", nil
	}
	if node == "" {
		return authz.NoOpinion, fmt.Sprintf("unknown node for user %q", a.User.Name), nil
	}
	if a.ResourceRequest {
		switch a.APIGroup {
		case "":
			switch a.Resource {
			case "secrets":
				return z.readReferenced(node, &a, secretUsed)
			case "configmaps":
				return z.readReferenced(node, &a, configMapUsed)
			case "persistentvolumeclaims":
				return z.claim(node, &a)
			case "persistentvolumes":
				return z.volume(node, &a)
			case "serviceaccounts":
				return z.token(node, &a)
			case "nodes":
				return z.nodeObject(node, &a)
			case "pods":
				return z.pod(node, &a)
			}
		case "coordination.k8s.io":
			if a.Resource == "leases" {
				return lease(node, &a)
			}
		case "storage.k8s.io":
			if a.Resource == "csinodes" {
				return csiNode(node, &a)
			}
		}
	}
	if rbac.RulesAllow(a, z.rules...) {
		return authz.Allow, "", nil
	}
	return authz.NoOpinion, "", nil
}

func noRelationship(node string) string {
	return fmt.Sprintf("no relationship found between node '%s' and this object", node)
}

// readReferenced allows get, list and watch of one named object in a
// namespace (a kubelet watches single secrets by field selector) when used
// reports that a pod on the node references it.
func (z *Authorizer) readReferenced(node string, a *authz.Attributes, used lookup) (authz.Decision, string, error) {
	switch a.Verb {
	case "get", "list", "watch":
	default:
		return authz.NoOpinion, "can only read resources of this type", nil
	}
	if a.Subresource != "" {
		return authz.NoOpinion, "cannot read subresource", nil
	}
	if a.Namespace == "" {
		return authz.NoOpinion, "can only read namespaced object of this type", nil
	}
	return z.related(node, a, used)
}

// related allows the request when used finds the named object reachable
// from the node.
func (z *Authorizer) related(node string, a *authz.Attributes, used lookup) (authz.Decision, string, error) {
	if a.Name == "" {
		return authz.NoOpinion, "No Object name found", nil
	}
	r, err := z.refsFor(node)
	if err != nil || !used(r, a.Namespace, a.Name) {
		// A lookup error refuses (with the same words): the kubelet retries.
		return authz.NoOpinion, noRelationship(node), nil
	}
	return authz.Allow, "", nil
}

// claim: get a claim one of the node's pods mounts, or update/patch its status.
func (z *Authorizer) claim(node string, a *authz.Attributes) (authz.Decision, string, error) {
	if a.Subresource == "status" {
		if a.Verb != "update" && a.Verb != "patch" {
			return authz.NoOpinion, "can only get/update/patch this type", nil
		}
		return z.related(node, a, claimUsed)
	}
	return z.getOnly(node, a, claimUsed)
}

func (z *Authorizer) volume(node string, a *authz.Attributes) (authz.Decision, string, error) {
	return z.getOnly(node, a, volumeUsed)
}

func (z *Authorizer) getOnly(node string, a *authz.Attributes, used lookup) (authz.Decision, string, error) {
	if a.Verb != "get" {
		return authz.NoOpinion, "can only get individual resources of this type", nil
	}
	if a.Subresource != "" {
		return authz.NoOpinion, "cannot get subresource", nil
	}
	return z.related(node, a, used)
}

// token: create a token for a service account one of the node's pods runs as
// (the kubelet's projected token volumes).
func (z *Authorizer) token(node string, a *authz.Attributes) (authz.Decision, string, error) {
	if a.Verb != "create" || a.Name == "" {
		return authz.NoOpinion, "can only create tokens for individual service accounts", nil
	}
	if a.Subresource != "token" {
		return authz.NoOpinion, "can only create token subresource of serviceaccount", nil
	}
	return z.related(node, a, serviceAccountUsed)
}

// nodeObject: register (create), read any Node, write only its own.
func (z *Authorizer) nodeObject(node string, a *authz.Attributes) (authz.Decision, string, error) {
	switch a.Subresource {
	case "":
		switch a.Verb {
		case "create", "get", "list", "watch":
			// Create carries no name here; NodeRestriction checks it.
			return authz.Allow, "", nil
		case "update", "patch":
			return ownName(node, a.Name, "node")
		}
	case "status":
		switch a.Verb {
		case "update", "patch":
			return ownName(node, a.Name, "node")
		}
	}
	return authz.NoOpinion, "", nil
}

func ownName(node, name, what string) (authz.Decision, string, error) {
	if name != node {
		return authz.NoOpinion, fmt.Sprintf("can only modify the %s object of node '%s'", what, node), nil
	}
	return authz.Allow, "", nil
}

// pod: read pods (list and watch are narrowed to spec.nodeName where the
// request is served), create mirror pods, and write status, delete and
// evict only pods bound to the node.
func (z *Authorizer) pod(node string, a *authz.Attributes) (authz.Decision, string, error) {
	switch a.Subresource {
	case "":
		switch a.Verb {
		case "get", "list", "watch", "create":
			return authz.Allow, "", nil
		case "delete":
			return z.related(node, a, podBound)
		}
	case "status":
		switch a.Verb {
		case "update", "patch":
			return z.related(node, a, podBound)
		}
	case "eviction":
		if a.Verb == "create" {
			return z.related(node, a, podBound)
		}
	}
	return authz.NoOpinion, "", nil
}

// lease: the node's own heartbeat Lease in kube-node-lease.
func lease(node string, a *authz.Attributes) (authz.Decision, string, error) {
	switch a.Verb {
	case "get", "create", "update", "patch", "delete":
	default:
		return authz.NoOpinion, "can only get, create, update, patch, or delete a node lease", nil
	}
	if a.Namespace != LeaseNamespace {
		return authz.NoOpinion, fmt.Sprintf("can only access leases in the %q system namespace", LeaseNamespace), nil
	}
	// A create carries no name here; NodeRestriction checks it.
	if a.Verb != "create" && a.Name != node {
		return authz.NoOpinion, "can only access node lease with the same name as the requesting node", nil
	}
	return authz.Allow, "", nil
}

// csiNode: the node's own CSINode.
func csiNode(node string, a *authz.Attributes) (authz.Decision, string, error) {
	switch a.Verb {
	case "get", "create", "update", "patch", "delete":
	default:
		return authz.NoOpinion, "can only get, create, update, patch, or delete a CSINode", nil
	}
	if a.Subresource != "" {
		return authz.NoOpinion, "cannot authorize CSINode subresources", nil
	}
	if a.Verb != "create" && a.Name != node {
		return authz.NoOpinion, "can only access CSINode with the same name as the requesting node", nil
	}
	return authz.Allow, "", nil
}

// Relationship lookups: plain functions over a node's refs (closures
// would allocate on every decision).
type lookup func(r *refs, namespace, name string) bool

func podBound(r *refs, namespace, name string) bool      { return has(r.pods, namespace, name) }
func secretUsed(r *refs, namespace, name string) bool    { return has(r.secrets, namespace, name) }
func configMapUsed(r *refs, namespace, name string) bool { return has(r.configMaps, namespace, name) }
func claimUsed(r *refs, namespace, name string) bool     { return has(r.claims, namespace, name) }
func serviceAccountUsed(r *refs, namespace, name string) bool {
	return has(r.serviceAccounts, namespace, name)
}
func volumeUsed(r *refs, _, name string) bool { _, ok := r.volumes[name]; return ok }
