package core

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/podspec"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func nodes() *registry.Resource {
	return &registry.Resource{
		GroupVersion: v1.SchemeGroupVersion, Kind: "Node",
		Plural: "nodes", Singular: "node", ShortNames: []string{"no"},
		New:      func() runtime.Object { return &v1.Node{} },
		NewList:  func() runtime.Object { return &v1.NodeList{} },
		Strategy: nodeStrategy{},
		// proxy reaches the node's kubelet (apiserver/kubeletproxy).
		Subresources: []string{"status", "proxy"},
	}
}

const (
	nodeRoleLabelPrefix = "node-role.kubernetes.io/"
	nodeRoleLabel       = "kubernetes.io/role"
)

var addressTypes = []v1.NodeAddressType{v1.NodeExternalDNS, v1.NodeExternalIP, v1.NodeHostName, v1.NodeInternalDNS, v1.NodeInternalIP}

type nodeStrategy struct{ registry.Base }

// Default keeps podCIDR == podCIDRs[0] and defaults allocatable to
// capacity, as upstream's conversion and defaulting do.
func (nodeStrategy) Default(obj runtime.Object) {
	node := obj.(*v1.Node)
	if len(node.Spec.PodCIDRs) == 0 && node.Spec.PodCIDR != "" {
		node.Spec.PodCIDRs = []string{node.Spec.PodCIDR}
	} else if len(node.Spec.PodCIDRs) > 0 {
		node.Spec.PodCIDR = node.Spec.PodCIDRs[0]
	}
	st := &node.Status
	if st.Allocatable == nil && st.Capacity != nil {
		st.Allocatable = st.Capacity.DeepCopy()
	}
}

// PrepareForCreate keeps the status: a kubelet registers its node with
// capacity, addresses and node info in one create, unlike other kinds.
func (nodeStrategy) PrepareForCreate(context.Context, runtime.Object) {}

// PrepareForUpdate keeps the status (Base) but not Base's generation bump:
// nodes have no generation upstream (nothing observes a node's spec by
// generation), and PrepareForCreate leaves it unset, so a bump here would
// make it appear at the first spec change.
func (s nodeStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	s.Base.PrepareForUpdate(ctx, obj, old)
	obj.(*v1.Node).Generation = old.(*v1.Node).Generation
}

func (nodeStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	node := obj.(*v1.Node)
	return append(validateMeta(&node.ObjectMeta, false, subdomainName), validateNode(node)...)
}

func validateNode(node *v1.Node) field.ErrorList {
	var errs field.ErrorList
	sp := field.NewPath("spec")
	errs = append(errs, validateNodeTaints(node.Spec.Taints, sp.Child("taints"))...)
	if len(node.Spec.PodCIDRs) > 0 {
		pp := sp.Child("podCIDRs")
		for i, c := range node.Spec.PodCIDRs {
			errs = append(errs, utilvalidation.IsValidCIDRForLegacyField(pp.Index(i), c, true, nil)...)
		}
		if len(node.Spec.PodCIDRs) > 2 {
			errs = append(errs, field.Invalid(pp, node.Spec.PodCIDRs, "may specify no more than one CIDR for each IP family"))
		} else if len(node.Spec.PodCIDRs) == 2 && strings.Contains(node.Spec.PodCIDRs[0], ":") == strings.Contains(node.Spec.PodCIDRs[1], ":") {
			errs = append(errs, field.Invalid(pp, node.Spec.PodCIDRs, "may specify no more than one CIDR for each IP family"))
		}
	}
	if node.Spec.ConfigSource != nil {
		errs = append(errs, field.Forbidden(sp.Child("configSource"), "update kubelet config file instead"))
	}
	st := field.NewPath("status")
	for i, a := range node.Status.Addresses {
		errs = append(errs, oneOf(a.Type, addressTypes, true, st.Child("addresses").Index(i).Child("type"))...)
	}
	for _, l := range []struct {
		name string
		list v1.ResourceList
	}{{"capacity", node.Status.Capacity}, {"allocatable", node.Status.Allocatable}} {
		for name, q := range l.list {
			errs = append(errs, podspec.ValidateResourceQuantityValue(name, q, st.Child(l.name).Key(string(name)))...)
		}
	}
	sortErrs(errs)
	return errs
}

// validateNodeTaints: well-formed keys and values, a known effect, and no
// two taints with the same key and effect.
func validateNodeTaints(taints []v1.Taint, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, t := range taints {
		p := fldPath.Index(i)
		errs = append(errs, metav1validation.ValidateLabelName(t.Key, p.Child("key"))...)
		for _, msg := range utilvalidation.IsValidLabelValue(t.Value) {
			errs = append(errs, field.Invalid(p.Child("value"), t.Value, msg))
		}
		errs = append(errs, podspec.ValidateTaintEffect(t.Effect, false, p.Child("effect"))...)
		key := t.Key + "=" + string(t.Effect)
		if seen[key] {
			errs = append(errs, field.Duplicate(p, fmt.Sprintf("taints must be unique by key and effect pair: %q", key)))
		}
		seen[key] = true
	}
	return errs
}

// ValidateUpdate lets a pod CIDR and provider ID be assigned once, by the
// node IPAM controller or cloud provider, and never changed afterwards.
func (nodeStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	node, oldNode := obj.(*v1.Node), old.(*v1.Node)
	errs := validateMetaUpdate(&node.ObjectMeta, &oldNode.ObjectMeta, false, subdomainName)
	errs = append(errs, validateNode(node)...)
	if len(oldNode.Spec.PodCIDRs) > 0 {
		same := len(oldNode.Spec.PodCIDRs) == len(node.Spec.PodCIDRs)
		for i := 0; same && i < len(oldNode.Spec.PodCIDRs); i++ {
			same = oldNode.Spec.PodCIDRs[i] == node.Spec.PodCIDRs[i]
		}
		if !same {
			errs = append(errs, field.Forbidden(field.NewPath("spec", "podCIDRs"), "node updates may not change podCIDR except from \"\" to valid"))
		}
	}
	if oldNode.Spec.ProviderID != "" && oldNode.Spec.ProviderID != node.Spec.ProviderID {
		errs = append(errs, field.Forbidden(field.NewPath("spec", "providerID"), "node updates may not change providerID except from \"\" to valid"))
	}
	return errs
}

func (nodeStrategy) ValidateStatusUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	node, oldNode := obj.(*v1.Node), old.(*v1.Node)
	errs := validateMetaUpdate(&node.ObjectMeta, &oldNode.ObjectMeta, false, subdomainName)
	return append(errs, validateNode(node)...)
}

// SelectableFields adds spec.unschedulable, which kubectl drain and the
// scheduler's informers select on.
func (nodeStrategy) SelectableFields(obj runtime.Object) fields.Set {
	f := registry.MetaFields(obj)
	f["spec.unschedulable"] = strconv.FormatBool(obj.(*v1.Node).Spec.Unschedulable)
	return f
}

func (nodeStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		registry.Column("Status", "string", "The status of the node", false),
		registry.Column("Roles", "string", "The roles of the node", false),
		registry.AgeColumn,
		registry.Column("Version", "string", "Kubelet Version reported by the node.", false),
		registry.Column("Internal-IP", "string", "List of addresses reachable to the node.", true),
		registry.Column("External-IP", "string", "List of addresses reachable to the node.", true),
		registry.Column("OS-Image", "string", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", true),
		registry.Column("Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", true),
		registry.Column("Container-Runtime", "string", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", true),
	}
}

func (nodeStrategy) TableRow(obj runtime.Object) []interface{} {
	node := obj.(*v1.Node)
	var status []string
	for _, c := range node.Status.Conditions {
		if c.Type == v1.NodeReady {
			if c.Status == v1.ConditionTrue {
				status = append(status, "Ready")
			} else {
				status = append(status, "NotReady")
			}
			break
		}
	}
	if len(status) == 0 {
		status = append(status, "Unknown")
	}
	if node.Spec.Unschedulable {
		status = append(status, "SchedulingDisabled")
	}
	info := node.Status.NodeInfo
	unknown := func(s string) string {
		if s == "" {
			return "<unknown>"
		}
		return s
	}
	return []interface{}{
		strings.Join(status, ","), orNone(strings.Join(nodeRoles(node), ",")), registry.Age(obj), info.KubeletVersion,
		nodeAddress(node, v1.NodeInternalIP), nodeAddress(node, v1.NodeExternalIP),
		unknown(info.OSImage), unknown(info.KernelVersion), unknown(info.ContainerRuntimeVersion),
	}
}

// nodeRoles reads roles from node-role.kubernetes.io/<role> labels and the
// older kubernetes.io/role=<role> label.
func nodeRoles(node *v1.Node) []string {
	set := map[string]bool{}
	for k, v := range node.Labels {
		switch {
		case strings.HasPrefix(k, nodeRoleLabelPrefix):
			if role := strings.TrimPrefix(k, nodeRoleLabelPrefix); role != "" {
				set[role] = true
			}
		case k == nodeRoleLabel && v != "":
			set[v] = true
		}
	}
	roles := make([]string, 0, len(set))
	for r := range set {
		roles = append(roles, r)
	}
	sort.Strings(roles)
	return roles
}

func nodeAddress(node *v1.Node, t v1.NodeAddressType) string {
	for _, a := range node.Status.Addresses {
		if a.Type == t {
			return a.Address
		}
	}
	return "<none>"
}
