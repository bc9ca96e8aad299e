package endpointslice

import (
	"sort"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/controller/endpoints"
)

// ManagedBy is the managed-by label value of this controller's slices.
const ManagedBy = "endpointslice-controller.k8s.io"

// Plan is the writes that bring a service's slices to the desired state.
type Plan struct {
	Create, Update, Delete []*discoveryv1.EndpointSlice
}

// Labels are the labels of svc's slices: the service's own, the
// service-name and managed-by labels, and the headless label exactly
// when it is headless.
func Labels(svc *corev1.Service) map[string]string {
	out := map[string]string{}
	for k, v := range svc.Labels {
		switch k {
		case discoveryv1.LabelServiceName, discoveryv1.LabelManagedBy, corev1.IsHeadlessService:
		default:
			out[k] = v
		}
	}
	out[discoveryv1.LabelServiceName] = svc.Name
	out[discoveryv1.LabelManagedBy] = ManagedBy
	if endpoints.IsHeadless(svc) {
		out[corev1.IsHeadlessService] = ""
	}
	return out
}

// Reconcile plans the writes that turn existing (svc's slices) into
// groups, maxPerSlice endpoints a slice at most. Endpoints stay in the
// slice they are in; new ones fill free room before new slices are made;
// slices left empty go, but one empty placeholder stays when the service
// has no endpoints at all.
func Reconcile(svc *corev1.Service, groups []Group, existing []*discoveryv1.EndpointSlice, maxPerSlice int) Plan {
	labels := Labels(svc)
	var plan Plan
	byGroup := map[string][]*discoveryv1.EndpointSlice{}
	for _, s := range existing {
		k := GroupKey(s.AddressType, s.Ports)
		byGroup[k] = append(byGroup[k], s)
	}
	for k := range byGroup {
		sort.Slice(byGroup[k], func(i, j int) bool { return byGroup[k][i].Name < byGroup[k][j].Name })
	}

	if len(groups) == 0 {
		return placeholder(svc, labels, existing)
	}
	wanted := map[string]bool{}
	for _, g := range groups {
		wanted[g.Key()] = true
		desired := map[string]discoveryv1.Endpoint{}
		for _, ep := range g.Endpoints {
			desired[EndpointKey(ep)] = ep
		}
		placed := map[string]bool{}
		slices := byGroup[g.Key()]
		contents := make([][]discoveryv1.Endpoint, len(slices))
		for i, s := range slices {
			for _, ep := range s.Endpoints {
				k := EndpointKey(ep)
				if d, ok := desired[k]; ok && !placed[k] {
					contents[i] = append(contents[i], d)
					placed[k] = true
				}
			}
		}
		var rest []discoveryv1.Endpoint
		for _, ep := range g.Endpoints {
			if !placed[EndpointKey(ep)] {
				rest = append(rest, ep)
			}
		}
		for i := range slices {
			room := maxPerSlice - len(contents[i])
			if room <= 0 || len(rest) == 0 {
				continue
			}
			n := min(room, len(rest))
			contents[i] = append(contents[i], rest[:n]...)
			rest = rest[n:]
		}
		for i, s := range slices {
			switch {
			case len(contents[i]) == 0:
				plan.Delete = append(plan.Delete, s)
			case !apiequality.Semantic.DeepEqual(s.Endpoints, contents[i]) || !equalMaps(s.Labels, labels) ||
				!apiequality.Semantic.DeepEqual(s.Ports, g.Ports):
				u := s.DeepCopy()
				u.Endpoints, u.Labels, u.Ports = contents[i], labels, g.Ports
				plan.Update = append(plan.Update, u)
			}
		}
		for len(rest) > 0 {
			n := min(maxPerSlice, len(rest))
			plan.Create = append(plan.Create, newSlice(svc, labels, g.AddressType, g.Ports, rest[:n]))
			rest = rest[n:]
		}
	}
	for k, slices := range byGroup {
		if !wanted[k] {
			plan.Delete = append(plan.Delete, slices...)
		}
	}
	reuseEmpty(&plan)
	return plan
}

// reuseEmpty turns a create plus the deletion of an empty slice (the
// placeholder, typically) into an update of that slice: one write, and
// the slice's name stays.
func reuseEmpty(plan *Plan) {
	sort.Slice(plan.Delete, func(i, j int) bool { return plan.Delete[i].Name < plan.Delete[j].Name })
	var creates []*discoveryv1.EndpointSlice
	for _, c := range plan.Create {
		reused := false
		for i, d := range plan.Delete {
			if len(d.Endpoints) == 0 && d.AddressType == c.AddressType {
				u := d.DeepCopy()
				u.Labels, u.Ports, u.Endpoints = c.Labels, c.Ports, c.Endpoints
				plan.Update = append(plan.Update, u)
				plan.Delete = append(plan.Delete[:i:i], plan.Delete[i+1:]...)
				reused = true
				break
			}
		}
		if !reused {
			creates = append(creates, c)
		}
	}
	plan.Create = creates
}

// placeholder keeps exactly one empty slice for a service with no
// endpoints.
func placeholder(svc *corev1.Service, labels map[string]string, existing []*discoveryv1.EndpointSlice) Plan {
	var plan Plan
	addressType := discoveryv1.AddressTypeIPv4
	if endpoints.PrimaryFamily(svc) == corev1.IPv6Protocol {
		addressType = discoveryv1.AddressTypeIPv6
	}
	sorted := append([]*discoveryv1.EndpointSlice(nil), existing...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	kept := false
	for _, s := range sorted {
		if kept || s.AddressType != addressType {
			plan.Delete = append(plan.Delete, s)
			continue
		}
		kept = true
		if len(s.Endpoints) > 0 || len(s.Ports) > 0 || !equalMaps(s.Labels, labels) {
			u := s.DeepCopy()
			u.Endpoints, u.Ports, u.Labels = nil, nil, labels
			plan.Update = append(plan.Update, u)
		}
	}
	if !kept {
		plan.Create = append(plan.Create, newSlice(svc, labels, addressType, nil, nil))
	}
	return plan
}

func newSlice(svc *corev1.Service, labels map[string]string, addressType discoveryv1.AddressType, ports []discoveryv1.EndpointPort, eps []discoveryv1.Endpoint) *discoveryv1.EndpointSlice {
	yes := true
	return &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName: svc.Name + "-",
			Namespace:    svc.Namespace,
			Labels:       labels,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "v1", Kind: "Service", Name: svc.Name, UID: svc.UID,
				Controller: &yes, BlockOwnerDeletion: &yes}},
		},
		AddressType: addressType,
		Ports:       ports,
		Endpoints:   append([]discoveryv1.Endpoint(nil), eps...),
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
