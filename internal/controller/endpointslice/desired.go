package endpointslice

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"

	"github.com/hanok-dev/hanok/internal/controller/endpoints"
)

// MaxEndpointsPerSlice is upstream's default --max-endpoints-per-slice.
const MaxEndpointsPerSlice = 100

// Group is the endpoints that share an address type and port set: they
// go into the same slices.
type Group struct {
	AddressType discoveryv1.AddressType
	Ports       []discoveryv1.EndpointPort
	Endpoints   []discoveryv1.Endpoint
}

// Key identifies a group (and the slices that hold it).
func (g Group) Key() string { return GroupKey(g.AddressType, g.Ports) }

// GroupKey is the key of the group with addressType and ports.
func GroupKey(addressType discoveryv1.AddressType, ports []discoveryv1.EndpointPort) string {
	keys := make([]string, len(ports))
	for i, p := range ports {
		keys[i] = portKey(p)
	}
	sort.Strings(keys)
	return string(addressType) + "|" + strings.Join(keys, ",")
}

func portKey(p discoveryv1.EndpointPort) string {
	s := func(v *string) string {
		if v == nil {
			return ""
		}
		return *v
	}
	var port int32
	if p.Port != nil {
		port = *p.Port
	}
	proto := ""
	if p.Protocol != nil {
		proto = string(*p.Protocol)
	}
	return fmt.Sprintf("%s/%d/%s/%s", s(p.Name), port, proto, s(p.AppProtocol))
}

// EndpointKey identifies an endpoint across syncs: its address and pod.
func EndpointKey(ep discoveryv1.Endpoint) string {
	k := strings.Join(ep.Addresses, ",")
	if ep.TargetRef != nil {
		k += "/" + ep.TargetRef.Name
	}
	return k
}

// Desired groups svc's endpoints from the pods its selector matches, one
// address type per service IP family. zoneOf names a node's zone ("" if
// unknown).
func Desired(svc *corev1.Service, pods []*corev1.Pod, zoneOf func(node string) string) []Group {
	families := svc.Spec.IPFamilies
	if len(families) == 0 {
		families = []corev1.IPFamily{corev1.IPv4Protocol}
	}
	groups := map[string]*Group{}
	sorted := append([]*corev1.Pod(nil), pods...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, family := range families {
		addressType := discoveryv1.AddressTypeIPv4
		if family == corev1.IPv6Protocol {
			addressType = discoveryv1.AddressTypeIPv6
		}
		for _, pod := range sorted {
			if !endpoints.ShouldInclude(svc, pod, true) {
				continue
			}
			ip := endpoints.PodIP(pod, family)
			if ip == "" {
				continue
			}
			ports, ok := podPorts(svc, pod)
			if !ok {
				continue
			}
			ep := endpoint(svc, pod, ip, zoneOf)
			g := Group{AddressType: addressType, Ports: ports}
			k := g.Key()
			if groups[k] == nil {
				groups[k] = &g
			}
			groups[k].Endpoints = append(groups[k].Endpoints, ep)
		}
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Group, 0, len(keys))
	for _, k := range keys {
		out = append(out, *groups[k])
	}
	return out
}

// podPorts are svc's ports as resolved against pod; ok is false when pod
// serves none of them (a headless service with no ports still lists it).
func podPorts(svc *corev1.Service, pod *corev1.Pod) ([]discoveryv1.EndpointPort, bool) {
	var ports []discoveryv1.EndpointPort
	for i := range svc.Spec.Ports {
		sp := svc.Spec.Ports[i]
		n, err := endpoints.TargetPort(pod, &sp)
		if err != nil {
			continue
		}
		name, proto := sp.Name, sp.Protocol
		if proto == "" {
			proto = corev1.ProtocolTCP
		}
		ports = append(ports, discoveryv1.EndpointPort{Name: &name, Port: &n, Protocol: &proto, AppProtocol: sp.AppProtocol})
	}
	sort.Slice(ports, func(i, j int) bool { return portKey(ports[i]) < portKey(ports[j]) })
	return ports, len(ports) > 0 || len(svc.Spec.Ports) == 0 && endpoints.IsHeadless(svc)
}

func endpoint(svc *corev1.Service, pod *corev1.Pod, ip string, zoneOf func(string) string) discoveryv1.Endpoint {
	terminating := pod.DeletionTimestamp != nil
	serving := endpoints.IsReady(pod) || svc.Spec.PublishNotReadyAddresses
	ready := serving && (!terminating || svc.Spec.PublishNotReadyAddresses)
	ep := discoveryv1.Endpoint{
		Addresses:  []string{ip},
		Conditions: discoveryv1.EndpointConditions{Ready: &ready, Serving: &serving, Terminating: &terminating},
		TargetRef:  &corev1.ObjectReference{Kind: "Pod", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID},
	}
	if h := endpoints.Hostname(svc, pod); h != "" {
		ep.Hostname = &h
	}
	if pod.Spec.NodeName != "" {
		node := pod.Spec.NodeName
		ep.NodeName = &node
		if zoneOf != nil {
			if z := zoneOf(node); z != "" {
				ep.Zone = &z
			}
		}
	}
	return ep
}
