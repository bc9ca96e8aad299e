package core

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/podspec"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func services() *registry.Resource {
	return &registry.Resource{
		GroupVersion: v1.SchemeGroupVersion, Kind: "Service",
		Plural: "services", Singular: "service", ShortNames: []string{"svc"},
		Categories: []string{"all"}, Namespaced: true,
		New:          func() runtime.Object { return &v1.Service{} },
		NewList:      func() runtime.Object { return &v1.ServiceList{} },
		Strategy:     serviceStrategy{},
		Subresources: []string{"status"},
	}
}

var (
	serviceTypes = []v1.ServiceType{v1.ServiceTypeClusterIP, v1.ServiceTypeExternalName, v1.ServiceTypeLoadBalancer, v1.ServiceTypeNodePort}
	affinities   = []v1.ServiceAffinity{v1.ServiceAffinityClientIP, v1.ServiceAffinityNone}
	protocols    = []v1.Protocol{v1.ProtocolSCTP, v1.ProtocolTCP, v1.ProtocolUDP}
	extPolicies  = []v1.ServiceExternalTrafficPolicy{v1.ServiceExternalTrafficPolicyCluster, v1.ServiceExternalTrafficPolicyLocal}
	intPolicies  = []v1.ServiceInternalTrafficPolicy{v1.ServiceInternalTrafficPolicyCluster, v1.ServiceInternalTrafficPolicyLocal}
	ipPolicies   = []v1.IPFamilyPolicy{v1.IPFamilyPolicyPreferDualStack, v1.IPFamilyPolicyRequireDualStack, v1.IPFamilyPolicySingleStack}
	ipFamilies   = []v1.IPFamily{v1.IPv4Protocol, v1.IPv6Protocol}
)

type serviceStrategy struct{ registry.Base }

// externallyAccessible services get traffic from outside the cluster, so
// externalTrafficPolicy applies to them.
func externallyAccessible(s *v1.Service) bool {
	return s.Spec.Type == v1.ServiceTypeLoadBalancer || s.Spec.Type == v1.ServiceTypeNodePort ||
		(s.Spec.Type == v1.ServiceTypeClusterIP && len(s.Spec.ExternalIPs) > 0)
}

// Default follows upstream's SetDefaults_Service. IP families are filled
// here too (upstream's REST layer does it): single-stack, in the family of
// a requested clusterIP, IPv4 otherwise. The allocator picks the address.
func (serviceStrategy) Default(obj runtime.Object) {
	svc := obj.(*v1.Service)
	spec := &svc.Spec
	if spec.Type == "" {
		spec.Type = v1.ServiceTypeClusterIP
	}
	if spec.SessionAffinity == "" {
		spec.SessionAffinity = v1.ServiceAffinityNone
	}
	switch spec.SessionAffinity {
	case v1.ServiceAffinityNone:
		spec.SessionAffinityConfig = nil
	case v1.ServiceAffinityClientIP:
		if spec.SessionAffinityConfig == nil || spec.SessionAffinityConfig.ClientIP == nil || spec.SessionAffinityConfig.ClientIP.TimeoutSeconds == nil {
			spec.SessionAffinityConfig = &v1.SessionAffinityConfig{ClientIP: &v1.ClientIPConfig{TimeoutSeconds: ptr(v1.DefaultClientIPServiceAffinitySeconds)}}
		}
	}
	for i := range spec.Ports {
		p := &spec.Ports[i]
		if p.Protocol == "" {
			p.Protocol = v1.ProtocolTCP
		}
		if p.TargetPort == intstr.FromInt32(0) || p.TargetPort == intstr.FromString("") {
			p.TargetPort = intstr.FromInt32(p.Port)
		}
	}
	if externallyAccessible(svc) && spec.ExternalTrafficPolicy == "" {
		spec.ExternalTrafficPolicy = v1.ServiceExternalTrafficPolicyCluster
	}
	if spec.InternalTrafficPolicy == nil && spec.Type != v1.ServiceTypeExternalName {
		spec.InternalTrafficPolicy = ptr(v1.ServiceInternalTrafficPolicyCluster)
	}
	if spec.Type == v1.ServiceTypeLoadBalancer && spec.AllocateLoadBalancerNodePorts == nil {
		spec.AllocateLoadBalancerNodePorts = ptr(true)
	}
	// clusterIP is the first of clusterIPs; clients may set either.
	if len(spec.ClusterIPs) == 0 && spec.ClusterIP != "" {
		spec.ClusterIPs = []string{spec.ClusterIP}
	} else if spec.ClusterIP == "" && len(spec.ClusterIPs) > 0 {
		spec.ClusterIP = spec.ClusterIPs[0]
	}
	if spec.Type != v1.ServiceTypeExternalName {
		if spec.IPFamilyPolicy == nil {
			// Two addresses or families asked for mean dual-stack.
			if len(spec.ClusterIPs) > 1 || len(spec.IPFamilies) > 1 {
				spec.IPFamilyPolicy = ptr(v1.IPFamilyPolicyRequireDualStack)
			} else {
				spec.IPFamilyPolicy = ptr(v1.IPFamilyPolicySingleStack)
			}
		}
		if len(spec.IPFamilies) == 0 {
			for _, ip := range spec.ClusterIPs {
				if ip == v1.ClusterIPNone {
					continue
				}
				if strings.Contains(ip, ":") {
					spec.IPFamilies = append(spec.IPFamilies, v1.IPv6Protocol)
				} else {
					spec.IPFamilies = append(spec.IPFamilies, v1.IPv4Protocol)
				}
			}
			if len(spec.IPFamilies) == 0 {
				spec.IPFamilies = []v1.IPFamily{v1.IPv4Protocol}
			}
		}
	}
	if spec.Type == v1.ServiceTypeLoadBalancer {
		for i := range svc.Status.LoadBalancer.Ingress {
			ing := &svc.Status.LoadBalancer.Ingress[i]
			if ing.IP != "" && ing.IPMode == nil {
				ing.IPMode = ptr(v1.LoadBalancerIPModeVIP)
			}
		}
	}
}

func (serviceStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	svc := obj.(*v1.Service)
	return append(validateMeta(&svc.ObjectMeta, true, labelName), validateServiceSpec(svc)...)
}

// ValidateStatusUpdate checks load balancer addresses written by a
// controller.
func (serviceStrategy) ValidateStatusUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	svc, oldSvc := obj.(*v1.Service), old.(*v1.Service)
	errs := validateMetaUpdate(&svc.ObjectMeta, &oldSvc.ObjectMeta, true, labelName)
	p := field.NewPath("status", "loadBalancer", "ingress")
	if len(svc.Status.LoadBalancer.Ingress) > 0 && svc.Spec.Type != v1.ServiceTypeLoadBalancer {
		// As upstream (without the AllowServiceLBStatusOnNonLB gate): an
		// address no load balancer serves would mislead clients, and the
		// next spec update would drop it anyway (PrepareForUpdate).
		return append(errs, field.Forbidden(p, "may only be used when `spec.type` is 'LoadBalancer'"))
	}
	for i, ing := range svc.Status.LoadBalancer.Ingress {
		if ing.IP != "" {
			errs = append(errs, utilvalidation.IsValidIPForLegacyField(p.Index(i).Child("ip"), ing.IP, true, nil)...)
		}
		if ing.Hostname != "" {
			errs = append(errs, podspec.ValidateDNS1123Subdomain(ing.Hostname, p.Index(i).Child("hostname"))...)
		}
	}
	return errs
}

func validateServiceSpec(svc *v1.Service) field.ErrorList {
	var errs field.ErrorList
	spec := &svc.Spec
	p := field.NewPath("spec")
	headless := spec.ClusterIP == v1.ClusterIPNone

	errs = append(errs, oneOf(spec.Type, serviceTypes, true, p.Child("type"))...)
	if len(spec.Ports) == 0 && !headless && spec.Type != v1.ServiceTypeExternalName {
		errs = append(errs, field.Required(p.Child("ports"), ""))
	}
	if spec.Type == v1.ServiceTypeExternalName {
		errs = append(errs, validateExternalName(svc, p)...)
	} else {
		errs = append(errs, validateClusterIPs(spec, p)...)
	}

	names := map[string]bool{}
	seenPorts := map[string]bool{}
	seenNodePorts := map[string]bool{}
	for i := range spec.Ports {
		sp := &spec.Ports[i]
		pp := p.Child("ports").Index(i)
		errs = append(errs, validateServicePort(sp, len(spec.Ports) > 1, names, pp)...)
		if spec.Type == v1.ServiceTypeClusterIP && sp.NodePort != 0 {
			errs = append(errs, field.Forbidden(pp.Child("nodePort"), "may not be used when `type` is 'ClusterIP'"))
		}
		key := fmt.Sprintf("%d/%s", sp.Port, sp.Protocol)
		if seenPorts[key] {
			errs = append(errs, field.Duplicate(pp, key))
		}
		seenPorts[key] = true
		if sp.NodePort != 0 {
			nk := fmt.Sprintf("%d/%s", sp.NodePort, sp.Protocol)
			if seenNodePorts[nk] {
				errs = append(errs, field.Duplicate(pp.Child("nodePort"), sp.NodePort))
			}
			seenNodePorts[nk] = true
		}
	}

	errs = append(errs, metav1validation.ValidateLabels(spec.Selector, p.Child("selector"))...)
	errs = append(errs, oneOf(spec.SessionAffinity, affinities, true, p.Child("sessionAffinity"))...)
	if spec.SessionAffinity == v1.ServiceAffinityClientIP {
		if c := spec.SessionAffinityConfig; c == nil || c.ClientIP == nil || c.ClientIP.TimeoutSeconds == nil {
			errs = append(errs, field.Required(p.Child("sessionAffinityConfig"), "when session affinity type is ClientIP"))
		} else if t := *c.ClientIP.TimeoutSeconds; t <= 0 || t > maxClientIPAffinitySeconds {
			errs = append(errs, field.Invalid(p.Child("sessionAffinityConfig", "clientIP", "timeoutSeconds"), t,
				fmt.Sprintf("must be greater than 0 and less than %d", maxClientIPAffinitySeconds)))
		}
	} else if spec.SessionAffinityConfig != nil {
		errs = append(errs, field.Invalid(p.Child("sessionAffinityConfig"), spec.SessionAffinityConfig,
			fmt.Sprintf("must not be set when session affinity is %s", spec.SessionAffinity)))
	}

	for i, ip := range spec.ExternalIPs {
		errs = append(errs, utilvalidation.IsValidIPForLegacyField(p.Child("externalIPs").Index(i), ip, true, nil)...)
	}

	if externallyAccessible(svc) {
		errs = append(errs, oneOf(spec.ExternalTrafficPolicy, extPolicies, true, p.Child("externalTrafficPolicy"))...)
	} else if spec.ExternalTrafficPolicy != "" {
		errs = append(errs, field.Invalid(p.Child("externalTrafficPolicy"), spec.ExternalTrafficPolicy, "may only be set for externally-accessible services"))
	}
	if spec.HealthCheckNodePort != 0 {
		if spec.Type != v1.ServiceTypeLoadBalancer || spec.ExternalTrafficPolicy != v1.ServiceExternalTrafficPolicyLocal {
			errs = append(errs, field.Invalid(p.Child("healthCheckNodePort"), spec.HealthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"))
		} else {
			for _, msg := range utilvalidation.IsValidPortNum(int(spec.HealthCheckNodePort)) {
				errs = append(errs, field.Invalid(p.Child("healthCheckNodePort"), spec.HealthCheckNodePort, msg))
			}
		}
	}
	if spec.Type != v1.ServiceTypeExternalName {
		if spec.InternalTrafficPolicy == nil {
			errs = append(errs, field.Required(p.Child("internalTrafficPolicy"), ""))
		} else {
			errs = append(errs, oneOf(*spec.InternalTrafficPolicy, intPolicies, true, p.Child("internalTrafficPolicy"))...)
		}
	}
	if spec.Type != v1.ServiceTypeLoadBalancer {
		if len(spec.LoadBalancerSourceRanges) > 0 {
			errs = append(errs, field.Forbidden(p.Child("loadBalancerSourceRanges"), "may only be used when `type` is 'LoadBalancer'"))
		}
		if spec.AllocateLoadBalancerNodePorts != nil {
			errs = append(errs, field.Forbidden(p.Child("allocateLoadBalancerNodePorts"), "may only be used when `type` is 'LoadBalancer'"))
		}
		if spec.LoadBalancerClass != nil {
			errs = append(errs, field.Forbidden(p.Child("loadBalancerClass"), "may only be used when `type` is 'LoadBalancer'"))
		}
	}
	for i, r := range spec.LoadBalancerSourceRanges {
		errs = append(errs, utilvalidation.IsValidCIDRForLegacyField(p.Child("loadBalancerSourceRanges").Index(i), strings.TrimSpace(r), true, nil)...)
	}
	return errs
}

func validateServicePort(sp *v1.ServicePort, nameRequired bool, names map[string]bool, pp *field.Path) field.ErrorList {
	var errs field.ErrorList
	if nameRequired && sp.Name == "" {
		errs = append(errs, field.Required(pp.Child("name"), ""))
	} else if sp.Name != "" {
		errs = append(errs, podspec.ValidateDNS1123Label(sp.Name, pp.Child("name"))...)
		if names[sp.Name] {
			errs = append(errs, field.Duplicate(pp.Child("name"), sp.Name))
		}
		names[sp.Name] = true
	}
	for _, msg := range utilvalidation.IsValidPortNum(int(sp.Port)) {
		errs = append(errs, field.Invalid(pp.Child("port"), sp.Port, msg))
	}
	errs = append(errs, oneOf(sp.Protocol, protocols, true, pp.Child("protocol"))...)
	errs = append(errs, podspec.ValidatePortNumOrName(sp.TargetPort, pp.Child("targetPort"))...)
	if sp.AppProtocol != nil {
		for _, msg := range utilvalidation.IsQualifiedName(*sp.AppProtocol) {
			errs = append(errs, field.Invalid(pp.Child("appProtocol"), *sp.AppProtocol, msg))
		}
	}
	// The node port range is the allocator's to check; here only that it
	// is a port at all.
	if sp.NodePort != 0 {
		for _, msg := range utilvalidation.IsValidPortNum(int(sp.NodePort)) {
			errs = append(errs, field.Invalid(pp.Child("nodePort"), sp.NodePort, msg))
		}
	}
	return errs
}

func validateExternalName(svc *v1.Service, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	spec := &svc.Spec
	if len(spec.ClusterIPs) > 0 {
		errs = append(errs, field.Forbidden(p.Child("clusterIPs"), "may not be set for ExternalName services"))
	}
	if len(spec.IPFamilies) > 0 {
		errs = append(errs, field.Forbidden(p.Child("ipFamilies"), "may not be set for ExternalName services"))
	}
	if spec.IPFamilyPolicy != nil {
		errs = append(errs, field.Forbidden(p.Child("ipFamilyPolicy"), "may not be set for ExternalName services"))
	}
	name := strings.TrimSuffix(spec.ExternalName, ".")
	if name == "" {
		errs = append(errs, field.Required(p.Child("externalName"), ""))
	} else {
		errs = append(errs, podspec.ValidateDNS1123Subdomain(name, p.Child("externalName"))...)
	}
	return errs
}

func validateClusterIPs(spec *v1.ServiceSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(spec.ClusterIPs) > 0 && spec.ClusterIP != spec.ClusterIPs[0] {
		errs = append(errs, field.Invalid(p.Child("clusterIPs"), spec.ClusterIPs, "first value must match `clusterIP`"))
	}
	if spec.ClusterIP == v1.ClusterIPNone {
		if len(spec.ClusterIPs) > 1 {
			errs = append(errs, field.Invalid(p.Child("clusterIPs"), spec.ClusterIPs, "'None' must be the first and only value"))
		}
		if spec.Type != v1.ServiceTypeClusterIP {
			errs = append(errs, field.Invalid(p.Child("clusterIPs").Index(0), spec.ClusterIP, "may not be set to 'None' for LoadBalancer or NodePort services"))
		}
	} else {
		for i, ip := range spec.ClusterIPs {
			errs = append(errs, utilvalidation.IsValidIPForLegacyField(p.Child("clusterIPs").Index(i), ip, true, nil)...)
		}
		if len(spec.ClusterIPs) > 2 {
			errs = append(errs, field.Invalid(p.Child("clusterIPs"), spec.ClusterIPs, "may only hold up to 2 values"))
		}
	}
	if spec.IPFamilyPolicy != nil {
		errs = append(errs, oneOf(*spec.IPFamilyPolicy, ipPolicies, true, p.Child("ipFamilyPolicy"))...)
		if *spec.IPFamilyPolicy == v1.IPFamilyPolicySingleStack && len(spec.IPFamilies) > 1 {
			errs = append(errs, field.Invalid(p.Child("ipFamilies"), spec.IPFamilies, "when spec.ipFamilyPolicy is SingleStack, only one ipFamily may be specified"))
		}
	}
	// Addresses and families pair up by index, one per family.
	if spec.ClusterIP != v1.ClusterIPNone {
		for i, ip := range spec.ClusterIPs {
			fam := ipFamilyOf(ip)
			if i == 1 && fam == ipFamilyOf(spec.ClusterIPs[0]) {
				errs = append(errs, field.Invalid(p.Child("clusterIPs").Index(1), ip, "must be of a different IP family than clusterIPs[0]"))
			}
			if i < len(spec.IPFamilies) && spec.IPFamilies[i] != fam {
				errs = append(errs, field.Invalid(p.Child("ipFamilies").Index(i), spec.IPFamilies[i], fmt.Sprintf("does not match the IP family of clusterIPs[%d] (%s)", i, ip)))
			}
		}
	}
	seen := map[v1.IPFamily]bool{}
	for i, f := range spec.IPFamilies {
		errs = append(errs, oneOf(f, ipFamilies, true, p.Child("ipFamilies").Index(i))...)
		if seen[f] {
			errs = append(errs, field.Duplicate(p.Child("ipFamilies").Index(i), f))
		}
		seen[f] = true
	}
	return errs
}

func (serviceStrategy) SelectableFields(obj runtime.Object) fields.Set {
	svc := obj.(*v1.Service)
	f := registry.MetaFields(obj)
	f["spec.clusterIP"] = svc.Spec.ClusterIP
	f["spec.type"] = string(svc.Spec.Type)
	return f
}

func (serviceStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		registry.Column("Type", "string", "type determines how the Service is exposed.", false),
		registry.Column("Cluster-IP", "string", "clusterIP is the IP address of the service and is usually assigned randomly.", false),
		registry.Column("External-IP", "string", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.", false),
		registry.Column("Port(s)", "string", "The list of ports that are exposed by this service.", false),
		registry.AgeColumn,
		registry.Column("Selector", "string", "Route service traffic to pods with label keys and values matching this selector.", true),
	}
}

// TableRow matches upstream's wide printing (the server always prints the
// wide form; kubectl hides priority-1 columns).
func (serviceStrategy) TableRow(obj runtime.Object) []interface{} {
	svc := obj.(*v1.Service)
	clusterIP := "<none>"
	if len(svc.Spec.ClusterIPs) > 0 {
		clusterIP = svc.Spec.ClusterIPs[0]
	}
	ports := make([]string, len(svc.Spec.Ports))
	for i, p := range svc.Spec.Ports {
		if p.NodePort > 0 {
			ports[i] = fmt.Sprintf("%d:%d/%s", p.Port, p.NodePort, p.Protocol)
		} else {
			ports[i] = fmt.Sprintf("%d/%s", p.Port, p.Protocol)
		}
	}
	return []interface{}{
		string(svc.Spec.Type), clusterIP, serviceExternalIP(svc), orNone(strings.Join(ports, ",")),
		registry.Age(obj), labels.FormatLabels(svc.Spec.Selector),
	}
}

func serviceExternalIP(svc *v1.Service) string {
	switch svc.Spec.Type {
	case v1.ServiceTypeClusterIP, v1.ServiceTypeNodePort:
		if len(svc.Spec.ExternalIPs) > 0 {
			return strings.Join(svc.Spec.ExternalIPs, ",")
		}
		return "<none>"
	case v1.ServiceTypeLoadBalancer:
		set := map[string]bool{}
		for _, ing := range svc.Status.LoadBalancer.Ingress {
			if ing.IP != "" {
				set[ing.IP] = true
			} else if ing.Hostname != "" {
				set[ing.Hostname] = true
			}
		}
		lb := make([]string, 0, len(set))
		for a := range set {
			lb = append(lb, a)
		}
		sort.Strings(lb)
		all := append(lb, svc.Spec.ExternalIPs...)
		if len(all) == 0 {
			return "<pending>"
		}
		return strings.Join(all, ",")
	case v1.ServiceTypeExternalName:
		return svc.Spec.ExternalName
	}
	return "<unknown>"
}

// maxClientIPAffinitySeconds caps ClientIP session affinity at a day.
const maxClientIPAffinitySeconds = 86400

func ipFamilyOf(ip string) v1.IPFamily {
	if strings.Contains(ip, ":") {
		return v1.IPv6Protocol
	}
	return v1.IPv4Protocol
}
