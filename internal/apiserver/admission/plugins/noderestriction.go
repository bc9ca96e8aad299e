package plugins

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	authenticationv1 "k8s.io/api/authentication/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
	"github.com/hanok-dev/hanok/internal/apiserver/authz/node"
)

// NodeRestriction is upstream's plugin of that name. The Node authorizer
// lets a kubelet (user system:node:<name>, group system:nodes) write
// nodes, pods and leases at all; this plugin, which sees the objects,
// narrows that to its own: its Node (without touching its taints or
// labels that steer workloads, so a compromised node cannot attract
// privileged pods), the status of pods bound to it, mirror pods bound to
// and owned by it that reference nothing secret, evicting or deleting its
// own pods, its own Lease and CSINode, and tokens for its own pods.
//
// Requests from anyone else pass untouched.
type NodeRestriction struct {
	// Pods reads the pod an eviction or token request is about.
	Pods corelisters.PodLister
	// PodsClient reads a pod the lister does not have yet; may be nil.
	PodsClient corev1client.PodsGetter
	// Nodes reads the node whose UID a mirror pod's owner must carry.
	Nodes corelisters.NodeLister
	// NodesClient reads a node the lister does not have yet; may be nil.
	NodesClient corev1client.NodesGetter
	// Ready waits for the listers; nil means always ready.
	Ready ReadyFunc
}

var (
	nodesResource           = corev1.Resource("nodes")
	serviceAccountsResource = corev1.Resource("serviceaccounts")
	leasesResource          = coordinationv1.Resource("leases")
	csiNodesResource        = storagev1.Resource("csinodes")
)

// Validate implements admission.Validator.
func (n *NodeRestriction) Validate(ctx context.Context, a *admission.Attributes) error {
	// CONNECT (exec, attach, port-forward, proxy) changes nothing stored;
	// authorization alone decides it, as upstream.
	if a.Operation == admission.Connect {
		return nil
	}
	nodeName, isNode := node.Identity(a.User)
	if !isNode {
		return nil
	}
	if nodeName == "" {
		return admission.NewForbidden(a, fmt.Errorf("could not determine node from user %q", a.User.Name))
	}
	switch a.Resource.GroupResource() {
	case podsResource:
		switch a.Subresource {
		case "":
			return n.pod(ctx, nodeName, a)
		case "status":
			return n.podStatus(nodeName, a)
		case "eviction":
			return n.eviction(ctx, nodeName, a)
		default:
			return admission.NewForbidden(a, fmt.Errorf("unexpected pod subresource %q, only 'status' and 'eviction' are allowed", a.Subresource))
		}
	case nodesResource:
		return n.node(nodeName, a)
	case claimsResource:
		if a.Subresource != "status" {
			return admission.NewForbidden(a, fmt.Errorf("may only update PVC status"))
		}
		return n.claimStatus(nodeName, a)
	case serviceAccountsResource:
		return n.token(ctx, nodeName, a)
	case leasesResource:
		return ownObject(nodeName, a, "node lease", func() error {
			if a.Namespace != node.LeaseNamespace {
				return fmt.Errorf("can only access leases in the %q system namespace", node.LeaseNamespace)
			}
			return nil
		})
	case csiNodesResource:
		return ownObject(nodeName, a, "CSINode", nil)
	}
	return nil
}

// ownObject allows only an object named after the node; first, if set,
// checks anything else.
func ownObject(nodeName string, a *admission.Attributes, what string, first func() error) error {
	if first != nil {
		if err := first(); err != nil {
			return admission.NewForbidden(a, err)
		}
	}
	name := a.Name
	if a.Operation == admission.Create {
		if m, err := meta.Accessor(a.Object); err == nil {
			name = m.GetName()
		}
	}
	if name != nodeName {
		return admission.NewForbidden(a, fmt.Errorf("can only access %s with the same name as the requesting node", what))
	}
	return nil
}

func (n *NodeRestriction) pod(ctx context.Context, nodeName string, a *admission.Attributes) error {
	switch a.Operation {
	case admission.Create:
		return n.podCreate(ctx, nodeName, a)
	case admission.Delete:
		pod, ok := a.OldObject.(*corev1.Pod)
		if !ok {
			var err error
			if pod, err = n.getPod(ctx, a, a.Namespace, a.Name); err != nil {
				return err
			}
		}
		if pod.Spec.NodeName != nodeName {
			return admission.NewForbidden(a, fmt.Errorf("node %q can only delete pods with spec.nodeName set to itself", nodeName))
		}
		return nil
	}
	return admission.NewForbidden(a, fmt.Errorf("unexpected operation %q, node %q can only create and delete mirror pods", a.Operation, nodeName))
}

// podCreate allows mirror pods only: bound to the node, owned by its Node
// object (so they go when the node does), and reaching no API object a
// static manifest on the node could otherwise read.
func (n *NodeRestriction) podCreate(ctx context.Context, nodeName string, a *admission.Attributes) error {
	pod, ok := a.Object.(*corev1.Pod)
	if !ok {
		return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.Object))
	}
	forbid := func(format string, args ...any) error { return admission.NewForbidden(a, fmt.Errorf(format, args...)) }
	if !isMirrorPod(pod) {
		return forbid("pod does not have %q annotation, node %q can only create mirror pods", mirrorPodAnnotation, nodeName)
	}
	if pod.Spec.NodeName != nodeName {
		return forbid("node %q can only create pods with spec.nodeName set to itself", nodeName)
	}
	switch len(pod.OwnerReferences) {
	case 0:
		return forbid("node %q can only create pods with an owner reference set to itself", nodeName)
	case 1:
	default:
		return forbid("node %q can only create pods with a single owner reference set to itself", nodeName)
	}
	owner := pod.OwnerReferences[0]
	if owner.APIVersion != "v1" || owner.Kind != "Node" || owner.Name != nodeName {
		return forbid("node %q can only create pods with an owner reference set to itself", nodeName)
	}
	if owner.Controller == nil || !*owner.Controller {
		return forbid("node %q can only create pods with a controller owner reference set to itself", nodeName)
	}
	if owner.BlockOwnerDeletion != nil && *owner.BlockOwnerDeletion {
		return forbid("node %q must not set blockOwnerDeletion on an owner reference", nodeName)
	}
	self, err := n.getNode(ctx, nodeName)
	if apierrors.IsNotFound(err) {
		return err
	}
	if err != nil {
		return forbid("error looking up node %s to verify uid: %v", nodeName, err)
	}
	if owner.UID != self.UID {
		return forbid("node %s UID mismatch: expected %s got %s", nodeName, owner.UID, self.UID)
	}
	switch {
	case pod.Spec.ServiceAccountName != "":
		return forbid("node %q can not create pods that reference a service account", nodeName)
	case referencesSecrets(pod):
		return forbid("node %q can not create pods that reference secrets", nodeName)
	case referencesConfigMaps(pod):
		return forbid("node %q can not create pods that reference configmaps", nodeName)
	case usesClusterTrustBundles(pod):
		return forbid("node %q can not create pods that reference clustertrustbundles", nodeName)
	case referencesClaims(pod):
		return forbid("node %q can not create pods that reference persistentvolumeclaims", nodeName)
	case len(pod.Spec.ResourceClaims) > 0:
		return forbid("node %q can not create pods that reference resourceclaims", nodeName)
	}
	return nil
}

// podStatus allows status updates of pods bound to the node; labels may
// not ride along (they select pods into services and policies).
func (n *NodeRestriction) podStatus(nodeName string, a *admission.Attributes) error {
	if a.Operation != admission.Update {
		return admission.NewForbidden(a, fmt.Errorf("unexpected operation %q", a.Operation))
	}
	old, ok := a.OldObject.(*corev1.Pod)
	if !ok {
		return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.OldObject))
	}
	if old.Spec.NodeName != nodeName {
		return admission.NewForbidden(a, fmt.Errorf("node %q can only update pod status for pods with spec.nodeName set to itself", nodeName))
	}
	pod, ok := a.Object.(*corev1.Pod)
	if !ok {
		return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.Object))
	}
	if !labels.Equals(old.Labels, pod.Labels) {
		return admission.NewForbidden(a, fmt.Errorf("node %q cannot update labels through pod status", nodeName))
	}
	if !equality.Semantic.DeepEqual(old.Status.ResourceClaimStatuses, pod.Status.ResourceClaimStatuses) {
		return admission.NewForbidden(a, fmt.Errorf("node %q cannot update resource claim statues", nodeName))
	}
	return nil
}

func (n *NodeRestriction) eviction(ctx context.Context, nodeName string, a *admission.Attributes) error {
	if a.Operation != admission.Create {
		return admission.NewForbidden(a, fmt.Errorf("unexpected operation %s", a.Operation))
	}
	name := a.Name
	if name == "" {
		if ev, ok := a.Object.(*policyv1.Eviction); ok {
			name = ev.Name
		}
	}
	if name == "" {
		return admission.NewForbidden(a, fmt.Errorf("could not determine pod from request data"))
	}
	pod, err := n.getPod(ctx, a, a.Namespace, name)
	if err != nil {
		return err
	}
	if pod.Spec.NodeName != nodeName {
		return admission.NewForbidden(a, fmt.Errorf("node %s can only evict pods with spec.nodeName set to itself", nodeName))
	}
	return nil
}

// claimStatus lets a node report a volume's resize (capacity and
// conditions) and nothing else.
func (n *NodeRestriction) claimStatus(nodeName string, a *admission.Attributes) error {
	if a.Operation != admission.Update {
		return admission.NewForbidden(a, fmt.Errorf("unexpected operation %q", a.Operation))
	}
	old, ok1 := a.OldObject.(*corev1.PersistentVolumeClaim)
	cur, ok2 := a.Object.(*corev1.PersistentVolumeClaim)
	if !ok1 || !ok2 {
		return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.Object))
	}
	strip := func(p *corev1.PersistentVolumeClaim) *corev1.PersistentVolumeClaim {
		p = p.DeepCopy()
		p.ResourceVersion, p.ManagedFields = "", nil
		p.Status.Capacity, p.Status.Conditions = nil, nil
		p.Status.AllocatedResources, p.Status.AllocatedResourceStatuses = nil, nil
		return p
	}
	if !equality.Semantic.DeepEqual(strip(old), strip(cur)) {
		return admission.NewForbidden(a, fmt.Errorf("node %q is not allowed to update fields other than status.capacity and status.conditions", nodeName))
	}
	return nil
}

func (n *NodeRestriction) node(nodeName string, a *admission.Attributes) error {
	name := a.Name
	if a.Operation == admission.Create {
		if obj, ok := a.Object.(*corev1.Node); ok && obj.Name != "" {
			name = obj.Name
		}
	}
	if name != nodeName {
		return admission.NewForbidden(a, fmt.Errorf("node %q is not allowed to modify node %q", nodeName, name))
	}
	switch a.Operation {
	case admission.Create:
		obj, ok := a.Object.(*corev1.Node)
		if !ok {
			return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.Object))
		}
		if obj.Spec.ConfigSource != nil {
			return admission.NewForbidden(a, fmt.Errorf("node %q is not allowed to create pods with a non-nil configSource", nodeName))
		}
		if bad := forbiddenNodeLabels(obj.Labels, nil); len(bad) > 0 {
			return admission.NewForbidden(a, fmt.Errorf("node %q is not allowed to set the following labels: %s", nodeName, strings.Join(bad, ", ")))
		}
	case admission.Update:
		obj, ok1 := a.Object.(*corev1.Node)
		old, ok2 := a.OldObject.(*corev1.Node)
		if !ok1 || !ok2 {
			return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.Object))
		}
		if obj.Spec.ConfigSource != nil && !equality.Semantic.DeepEqual(obj.Spec.ConfigSource, old.Spec.ConfigSource) {
			return admission.NewForbidden(a, fmt.Errorf("node %q is not allowed to update configSource to a new non-nil configSource", nodeName))
		}
		if !equality.Semantic.DeepEqual(obj.Spec.Taints, old.Spec.Taints) {
			return admission.NewForbidden(a, fmt.Errorf("node %q is not allowed to modify taints", nodeName))
		}
		if bad := forbiddenNodeLabels(obj.Labels, old.Labels); len(bad) > 0 {
			return admission.NewForbidden(a, fmt.Errorf("is not allowed to modify labels: %s", strings.Join(bad, ", ")))
		}
	}
	return nil
}

// kubeletLabels are the kubernetes.io labels a kubelet sets on its node,
// as upstream's kubelet label policy.
var kubeletLabels = map[string]bool{
	corev1.LabelHostname:                true,
	corev1.LabelTopologyZone:            true,
	corev1.LabelTopologyRegion:          true,
	corev1.LabelFailureDomainBetaZone:   true,
	corev1.LabelFailureDomainBetaRegion: true,
	corev1.LabelInstanceType:            true,
	corev1.LabelInstanceTypeStable:      true,
	corev1.LabelOSStable:                true,
	corev1.LabelArchStable:              true,
	"beta.kubernetes.io/os":             true,
	"beta.kubernetes.io/arch":           true,
	corev1.LabelWindowsBuild:            true,
}

// kubeletLabelDomains may be used freely, as upstream:
// kubelet.kubernetes.io/ and node.kubernetes.io/ and their subdomains.
var kubeletLabelDomains = []string{corev1.LabelNamespaceSuffixKubelet, corev1.LabelNamespaceSuffixNode}

// forbiddenNodeLabels lists, sorted, the labels added, changed or removed
// between old and cur that a kubelet may not touch: node-restriction ones
// always (admins use them to pin workloads on trusted nodes), and any
// other in the kubernetes.io or k8s.io domains that is not a kubelet's.
// Labels in other domains are the node's own business.
func forbiddenNodeLabels(cur, old map[string]string) []string {
	changed := map[string]bool{}
	for k, v := range cur {
		if ov, ok := old[k]; !ok || ov != v {
			changed[k] = true
		}
	}
	for k := range old {
		if _, ok := cur[k]; !ok {
			changed[k] = true
		}
	}
	var bad []string
	for k := range changed {
		domain := labelDomain(k)
		if inDomain(domain, corev1.LabelNamespaceNodeRestriction) ||
			(inDomain(domain, "kubernetes.io") || inDomain(domain, "k8s.io")) && !isKubeletLabel(k, domain) {
			bad = append(bad, k)
		}
	}
	sort.Strings(bad)
	return bad
}

func isKubeletLabel(key, domain string) bool {
	if kubeletLabels[key] {
		return true
	}
	for _, d := range kubeletLabelDomains {
		if inDomain(domain, d) {
			return true
		}
	}
	return false
}

func labelDomain(key string) string {
	if i := strings.Index(key, "/"); i >= 0 {
		return key[:i]
	}
	return ""
}

// inDomain: domain is d or a subdomain of it.
func inDomain(domain, d string) bool {
	return domain == d || strings.HasSuffix(domain, "."+d)
}

// token allows a node to request tokens only for pods bound to it: bound
// to a pod (never to the node, which would outlive the pod), with the
// pod's UID, as upstream.
func (n *NodeRestriction) token(ctx context.Context, nodeName string, a *admission.Attributes) error {
	if a.Operation != admission.Create || a.Subresource != "token" {
		return nil
	}
	tr, ok := a.Object.(*authenticationv1.TokenRequest)
	if !ok {
		return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.Object))
	}
	ref := tr.Spec.BoundObjectRef
	if ref == nil || ref.APIVersion != "v1" || ref.Kind != "Pod" || ref.Name == "" {
		return admission.NewForbidden(a, errors.New("node requested token not bound to a pod"))
	}
	if ref.UID == "" {
		return admission.NewForbidden(a, errors.New("node requested token with a pod binding without a uid"))
	}
	pod, err := n.getPod(ctx, a, a.Namespace, ref.Name)
	if err != nil {
		return err
	}
	if ref.UID != pod.UID {
		return admission.NewForbidden(a, fmt.Errorf("the UID in the bound object reference (%s) does not match the UID in record. The object might have been deleted and then recreated", ref.UID))
	}
	if pod.Spec.NodeName != nodeName {
		return admission.NewForbidden(a, errors.New("node requested token bound to a pod scheduled on a different node"))
	}
	return nil
}

// getPod reads a pod from the lister, then live; NotFound is returned as
// is (the request is about something that does not exist), other errors
// refuse.
func (n *NodeRestriction) getPod(ctx context.Context, a *admission.Attributes, namespace, name string) (*corev1.Pod, error) {
	if err := ensureReady(ctx, n.Ready, a); err != nil {
		return nil, err
	}
	cached := func() (*corev1.Pod, error) {
		if n.Pods == nil {
			return nil, apierrors.NewNotFound(podsResource, name)
		}
		return n.Pods.Pods(namespace).Get(name)
	}
	var live func() (*corev1.Pod, error)
	if n.PodsClient != nil {
		live = func() (*corev1.Pod, error) { return n.PodsClient.Pods(namespace).Get(ctx, name, metav1.GetOptions{}) }
	}
	pod, err := getWithFallback(cached, live)
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, admission.NewForbidden(a, err)
	}
	return pod, err
}

func (n *NodeRestriction) getNode(ctx context.Context, name string) (*corev1.Node, error) {
	cached := func() (*corev1.Node, error) {
		if n.Nodes == nil {
			return nil, apierrors.NewNotFound(nodesResource, name)
		}
		return n.Nodes.Get(name)
	}
	var live func() (*corev1.Node, error)
	if n.NodesClient != nil {
		live = func() (*corev1.Node, error) { return n.NodesClient.Nodes().Get(ctx, name, metav1.GetOptions{}) }
	}
	return getWithFallback(cached, live)
}

// getWithFallback reads from a cache and, when it misses and there is a
// live reader, from the API: the cache may not have an object created a
// moment ago.
func getWithFallback[T any](cached, live func() (T, error)) (T, error) {
	obj, err := cached()
	if err == nil || !apierrors.IsNotFound(err) || live == nil {
		return obj, err
	}
	return live()
}
