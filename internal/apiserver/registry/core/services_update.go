package core

import (
	"context"

	v1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// PrepareForUpdate does what upstream's service REST layer does before
// validating an update:
//   - keep what the allocator assigned when the client's object leaves it
//     out: `kubectl apply` of a manifest without clusterIP or nodePort must
//     not look like an attempt to change them;
//   - drop what no longer applies after a type change, when the client
//     merely sent the old values back (a patch to type: ExternalName keeps
//     the old clusterIP, which would otherwise be refused).
func (s serviceStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	svc, oldSvc := obj.(*v1.Service), old.(*v1.Service)
	keepAllocated(svc, oldSvc)
	dropTypeDependentFields(svc, oldSvc)
	s.Base.PrepareForUpdate(ctx, obj, old)
	// The load balancer is gone as far as users are concerned once the
	// type changes, even if its teardown is still under way.
	if svc.Spec.Type != v1.ServiceTypeLoadBalancer {
		svc.Status.LoadBalancer = v1.LoadBalancerStatus{}
	}
}

func keepAllocated(svc, oldSvc *v1.Service) {
	if needsClusterIP(svc) && needsClusterIP(oldSvc) && len(svc.Spec.ClusterIPs) == 0 && svc.Spec.ClusterIP == "" {
		svc.Spec.ClusterIP = oldSvc.Spec.ClusterIP
		svc.Spec.ClusterIPs = append([]string(nil), oldSvc.Spec.ClusterIPs...)
		// Families and policy follow the addresses. A single family here
		// may be the [IPv4] Default filled in before this ran; a client
		// asking for two families is asking to go dual-stack, so keep that.
		if len(svc.Spec.IPFamilies) <= 1 && len(oldSvc.Spec.IPFamilies) > 0 {
			svc.Spec.IPFamilies = append([]v1.IPFamily(nil), oldSvc.Spec.IPFamilies...)
		}
		if svc.Spec.IPFamilyPolicy == nil {
			svc.Spec.IPFamilyPolicy = oldSvc.Spec.IPFamilyPolicy
		}
	}
	if needsNodePorts(svc) && needsNodePorts(oldSvc) {
		for i := range svc.Spec.Ports {
			p := &svc.Spec.Ports[i]
			if p.NodePort != 0 {
				continue
			}
			for _, op := range oldSvc.Spec.Ports {
				if (op.Port == p.Port && op.Protocol == p.Protocol) || (op.Name != "" && op.Name == p.Name) {
					p.NodePort = op.NodePort
					break
				}
			}
		}
	}
	if needsHealthCheckNodePort(svc) && needsHealthCheckNodePort(oldSvc) && svc.Spec.HealthCheckNodePort == 0 {
		svc.Spec.HealthCheckNodePort = oldSvc.Spec.HealthCheckNodePort
	}
}

// dropTypeDependentFields wipes a field only if it no longer applies, may
// have been filled in automatically, and the client did not change it.
func dropTypeDependentFields(svc, oldSvc *v1.Service) {
	if needsClusterIP(oldSvc) && !needsClusterIP(svc) {
		if apiequality.Semantic.DeepEqual(svc.Spec.ClusterIPs, oldSvc.Spec.ClusterIPs) {
			svc.Spec.ClusterIP, svc.Spec.ClusterIPs = "", nil
		}
		if apiequality.Semantic.DeepEqual(svc.Spec.IPFamilies, oldSvc.Spec.IPFamilies) {
			svc.Spec.IPFamilies = nil
		}
		if apiequality.Semantic.DeepEqual(svc.Spec.IPFamilyPolicy, oldSvc.Spec.IPFamilyPolicy) {
			svc.Spec.IPFamilyPolicy = nil
		}
	}
	if needsNodePorts(oldSvc) && !needsNodePorts(svc) && sameNodePorts(svc, oldSvc) {
		for i := range svc.Spec.Ports {
			svc.Spec.Ports[i].NodePort = 0
		}
	}
	if needsHealthCheckNodePort(oldSvc) && !needsHealthCheckNodePort(svc) && svc.Spec.HealthCheckNodePort == oldSvc.Spec.HealthCheckNodePort {
		svc.Spec.HealthCheckNodePort = 0
	}
	if oldSvc.Spec.Type == v1.ServiceTypeLoadBalancer && svc.Spec.Type != v1.ServiceTypeLoadBalancer {
		if apiequality.Semantic.DeepEqual(svc.Spec.AllocateLoadBalancerNodePorts, oldSvc.Spec.AllocateLoadBalancerNodePorts) {
			svc.Spec.AllocateLoadBalancerNodePorts = nil
		}
		if apiequality.Semantic.DeepEqual(svc.Spec.LoadBalancerClass, oldSvc.Spec.LoadBalancerClass) {
			svc.Spec.LoadBalancerClass = nil
		}
	}
	if externallyAccessible(oldSvc) && !externallyAccessible(svc) && svc.Spec.ExternalTrafficPolicy == oldSvc.Spec.ExternalTrafficPolicy {
		svc.Spec.ExternalTrafficPolicy = ""
	}
}

func sameNodePorts(a, b *v1.Service) bool {
	if len(a.Spec.Ports) != len(b.Spec.Ports) {
		return false
	}
	for i := range a.Spec.Ports {
		if a.Spec.Ports[i].NodePort != b.Spec.Ports[i].NodePort {
			return false
		}
	}
	return true
}

func needsClusterIP(s *v1.Service) bool { return s.Spec.Type != v1.ServiceTypeExternalName }

func needsNodePorts(s *v1.Service) bool {
	if s.Spec.Type == v1.ServiceTypeNodePort {
		return true
	}
	return s.Spec.Type == v1.ServiceTypeLoadBalancer &&
		(s.Spec.AllocateLoadBalancerNodePorts == nil || *s.Spec.AllocateLoadBalancerNodePorts)
}

func needsHealthCheckNodePort(s *v1.Service) bool {
	return s.Spec.Type == v1.ServiceTypeLoadBalancer && s.Spec.ExternalTrafficPolicy == v1.ServiceExternalTrafficPolicyLocal
}

func (serviceStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	svc, oldSvc := obj.(*v1.Service), old.(*v1.Service)
	errs := validateMetaUpdate(&svc.ObjectMeta, &oldSvc.ObjectMeta, true, labelName)
	// Addresses may be dropped or assigned when the type moves to or from
	// ExternalName, and a second family may be added or removed; otherwise
	// the primary address and family stay put: proxies and DNS have
	// already published them.
	if needsClusterIP(svc) && needsClusterIP(oldSvc) {
		p := field.NewPath("spec")
		switch {
		case len(oldSvc.Spec.ClusterIPs) > 0 && len(svc.Spec.ClusterIPs) > 0 && svc.Spec.ClusterIPs[0] != oldSvc.Spec.ClusterIPs[0]:
			errs = append(errs, field.Invalid(p.Child("clusterIPs").Index(0), svc.Spec.ClusterIPs, "may not change once set"))
		case len(oldSvc.Spec.ClusterIPs) > 0 && len(svc.Spec.ClusterIPs) == 0:
			errs = append(errs, field.Invalid(p.Child("clusterIPs").Index(0), svc.Spec.ClusterIPs, "primary clusterIP can not be unset"))
		}
		if len(oldSvc.Spec.IPFamilies) > 0 && len(svc.Spec.IPFamilies) > 0 && svc.Spec.IPFamilies[0] != oldSvc.Spec.IPFamilies[0] {
			errs = append(errs, field.Invalid(p.Child("ipFamilies").Index(0), svc.Spec.IPFamilies, "may not change once set"))
		}
	}
	return append(errs, validateServiceSpec(svc)...)
}
