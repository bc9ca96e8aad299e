package clusterdns

import (
	"net"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// ManagedBy is the managed-by label value of the EndpointSlice this
// controller keeps.
const ManagedBy = "clusterdns.hanok.io"

// The Service's port names, as CoreDNS's Service has them.
const (
	PortDNS    = "dns"
	PortDNSTCP = "dns-tcp"
)

// serviceLabels are those of k3s's CoreDNS Service.
var serviceLabels = map[string]string{
	"k8s-app":                       "kube-dns",
	"kubernetes.io/name":            "CoreDNS",
	"kubernetes.io/cluster-service": "true",
}

// desiredService is the kube-dns Service at ip.
func desiredService(namespace, name string, ip net.IP) *corev1.Service {
	local := corev1.ServiceInternalTrafficPolicyLocal
	single := corev1.IPFamilyPolicySingleStack
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, Labels: maps(serviceLabels)},
		Spec: corev1.ServiceSpec{
			Type:                  corev1.ServiceTypeClusterIP,
			ClusterIP:             ip.String(),
			ClusterIPs:            []string{ip.String()},
			IPFamilies:            []corev1.IPFamily{family(ip)},
			IPFamilyPolicy:        &single,
			Ports:                 servicePorts(),
			InternalTrafficPolicy: &local,
		},
	}
}

func servicePorts() []corev1.ServicePort {
	return []corev1.ServicePort{
		{Name: PortDNS, Protocol: corev1.ProtocolUDP, Port: 53, TargetPort: intstr.FromInt32(53)},
		{Name: PortDNSTCP, Protocol: corev1.ProtocolTCP, Port: 53, TargetPort: intstr.FromInt32(53)},
	}
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func family(ip net.IP) corev1.IPFamily {
	if ip.To4() != nil {
		return corev1.IPv4Protocol
	}
	return corev1.IPv6Protocol
}

// ours says whether an existing Service is the one this controller keeps:
// at ip, without a selector. Another is somebody else's DNS.
func ours(svc *corev1.Service, ip net.IP) bool {
	got := net.ParseIP(svc.Spec.ClusterIP)
	return got != nil && got.Equal(ip) && len(svc.Spec.Selector) == 0 && svc.Spec.Type != corev1.ServiceTypeExternalName
}

// updatedService is svc with what this controller owns (labels, ports,
// internalTrafficPolicy) set as desired, or nil when it already is.
func updatedService(svc *corev1.Service, ip net.IP) *corev1.Service {
	want := desiredService(svc.Namespace, svc.Name, ip)
	out := svc.DeepCopy()
	changed := false
	for k, v := range want.Labels {
		if out.Labels[k] != v {
			if out.Labels == nil {
				out.Labels = map[string]string{}
			}
			out.Labels[k] = v
			changed = true
		}
	}
	if !samePorts(out.Spec.Ports, want.Spec.Ports) {
		out.Spec.Ports = want.Spec.Ports
		changed = true
	}
	if out.Spec.InternalTrafficPolicy == nil || *out.Spec.InternalTrafficPolicy != *want.Spec.InternalTrafficPolicy {
		out.Spec.InternalTrafficPolicy = want.Spec.InternalTrafficPolicy
		changed = true
	}
	if !changed {
		return nil
	}
	return out
}

// samePorts compares what we set of each port (name, protocol, port,
// target port); defaults the API server fills are not ours to compare.
func samePorts(a, b []corev1.ServicePort) bool {
	return slices.EqualFunc(a, b, func(x, y corev1.ServicePort) bool {
		return x.Name == y.Name && x.Protocol == y.Protocol && x.Port == y.Port && x.TargetPort == y.TargetPort
	})
}

// sliceName is the one EndpointSlice's name.
func sliceName(service string) string { return service + "-nodes" }

// desiredSlice is svc's EndpointSlice: every Ready node's InternalIP of the
// service's address family, in node-name order.
func desiredSlice(svc *corev1.Service, nodes []*corev1.Node) *discoveryv1.EndpointSlice {
	ip := net.ParseIP(svc.Spec.ClusterIP)
	addressType := discoveryv1.AddressTypeIPv4
	if ip != nil && ip.To4() == nil {
		addressType = discoveryv1.AddressTypeIPv6
	}
	yes, no := true, false
	sorted := slices.Clone(nodes)
	slices.SortFunc(sorted, func(a, b *corev1.Node) int { return strings.Compare(a.Name, b.Name) })
	endpoints := []discoveryv1.Endpoint{}
	for _, n := range sorted {
		if !ready(n) || n.DeletionTimestamp != nil {
			continue
		}
		addr := internalIP(n, addressType)
		if addr == "" {
			continue
		}
		e := discoveryv1.Endpoint{
			Addresses:  []string{addr},
			Conditions: discoveryv1.EndpointConditions{Ready: &yes, Serving: &yes, Terminating: &no},
			NodeName:   &n.Name,
		}
		if z := n.Labels[corev1.LabelTopologyZone]; z != "" {
			e.Zone = &z
		}
		endpoints = append(endpoints, e)
	}
	udp, tcp := corev1.ProtocolUDP, corev1.ProtocolTCP
	dns, dnsTCP := PortDNS, PortDNSTCP
	port := int32(53)
	controller := true
	return &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: svc.Namespace,
			Name:      sliceName(svc.Name),
			Labels: map[string]string{
				discoveryv1.LabelServiceName: svc.Name,
				discoveryv1.LabelManagedBy:   ManagedBy,
			},
			// The garbage collector removes it with the Service. No
			// blockOwnerDeletion: that would need services/finalizers.
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: "v1", Kind: "Service", Name: svc.Name, UID: svc.UID, Controller: &controller,
			}},
		},
		AddressType: addressType,
		Endpoints:   endpoints,
		Ports: []discoveryv1.EndpointPort{
			{Name: &dns, Protocol: &udp, Port: &port},
			{Name: &dnsTCP, Protocol: &tcp, Port: &port},
		},
	}
}

// sameSlice compares what desiredSlice sets.
func sameSlice(a, b *discoveryv1.EndpointSlice) bool {
	return a.AddressType == b.AddressType &&
		equality.Semantic.DeepEqual(a.Labels, b.Labels) &&
		equality.Semantic.DeepEqual(a.OwnerReferences, b.OwnerReferences) &&
		equality.Semantic.DeepEqual(a.Endpoints, b.Endpoints) &&
		equality.Semantic.DeepEqual(a.Ports, b.Ports)
}

func ready(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// internalIP is the node's first InternalIP of the address type.
func internalIP(n *corev1.Node, t discoveryv1.AddressType) string {
	for _, a := range n.Status.Addresses {
		if a.Type != corev1.NodeInternalIP {
			continue
		}
		ip := net.ParseIP(a.Address)
		if ip == nil {
			continue
		}
		if (ip.To4() != nil) == (t == discoveryv1.AddressTypeIPv4) {
			return ip.String()
		}
	}
	return ""
}

// nodeChanged says whether an update of a node can change the slice.
func nodeChanged(old, cur *corev1.Node) bool {
	return ready(old) != ready(cur) ||
		(old.DeletionTimestamp == nil) != (cur.DeletionTimestamp == nil) ||
		!slices.Equal(old.Status.Addresses, cur.Status.Addresses) ||
		old.Labels[corev1.LabelTopologyZone] != cur.Labels[corev1.LabelTopologyZone]
}
