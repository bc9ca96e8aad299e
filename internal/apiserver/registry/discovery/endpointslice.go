package discovery

import (
	"context"
	"net/netip"

	v1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/validate/content"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// Upstream's bounds: they keep one slice a reasonable etcd object and a
// reasonable watch event for every proxy in the cluster.
const (
	maxEndpoints      = 1000
	maxAddresses      = 100
	maxPorts          = 20000
	maxTopologyLabels = 16
	maxHints          = 8
)

var (
	addressTypes  = []discoveryv1.AddressType{discoveryv1.AddressTypeFQDN, discoveryv1.AddressTypeIPv4, discoveryv1.AddressTypeIPv6}
	portProtocols = []v1.Protocol{v1.ProtocolSCTP, v1.ProtocolTCP, v1.ProtocolUDP}
)

// endpointSliceStrategy is discovery.k8s.io/v1 EndpointSlice. It has no
// spec, so registry.Base bumps the generation when endpoints or ports change.
type endpointSliceStrategy struct{ registry.Base }

// Default gives every port an explicit name ("" for the unnamed one) and
// protocol (TCP), as upstream, so consumers never see nil.
func (endpointSliceStrategy) Default(obj runtime.Object) {
	s := obj.(*discoveryv1.EndpointSlice)
	for i := range s.Ports {
		p := &s.Ports[i]
		if p.Name == nil {
			p.Name = new(string)
		}
		if p.Protocol == nil {
			tcp := v1.ProtocolTCP
			p.Protocol = &tcp
		}
	}
}

func (endpointSliceStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	s := obj.(*discoveryv1.EndpointSlice)
	errs := apivalidation.ValidateObjectMeta(&s.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateSlice(s)...)
}

// ValidateUpdate keeps addressType immutable: consumers index slices by
// family and would otherwise hold stale entries in the wrong table.
func (endpointSliceStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	s, o := obj.(*discoveryv1.EndpointSlice), old.(*discoveryv1.EndpointSlice)
	errs := apivalidation.ValidateObjectMetaUpdate(&s.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateSlice(s)...)
	return append(errs, apivalidation.ValidateImmutableField(s.AddressType, o.AddressType, field.NewPath("addressType"))...)
}

func validateSlice(s *discoveryv1.EndpointSlice) field.ErrorList {
	var errs field.ErrorList
	switch s.AddressType {
	case "":
		errs = append(errs, field.Required(field.NewPath("addressType"), ""))
	case discoveryv1.AddressTypeIPv4, discoveryv1.AddressTypeIPv6, discoveryv1.AddressTypeFQDN:
	default:
		errs = append(errs, field.NotSupported(field.NewPath("addressType"), s.AddressType, addressTypes))
	}
	errs = append(errs, validateEndpoints(s.Endpoints, s.AddressType, field.NewPath("endpoints"))...)
	return append(errs, validatePorts(s.Ports, field.NewPath("ports"))...)
}

func validateEndpoints(endpoints []discoveryv1.Endpoint, family discoveryv1.AddressType, fldPath *field.Path) field.ErrorList {
	if len(endpoints) > maxEndpoints {
		return field.ErrorList{field.TooMany(fldPath, len(endpoints), maxEndpoints)}
	}
	var errs field.ErrorList
	for i, ep := range endpoints {
		p := fldPath.Index(i)
		ap := p.Child("addresses")
		switch {
		case len(ep.Addresses) == 0:
			errs = append(errs, field.Required(ap, "must contain at least 1 address"))
		case len(ep.Addresses) > maxAddresses:
			errs = append(errs, field.TooMany(ap, len(ep.Addresses), maxAddresses))
		}
		for j, a := range ep.Addresses {
			errs = append(errs, validateAddress(a, family, ap.Index(j))...)
		}
		if ep.NodeName != nil {
			for _, msg := range validation.IsDNS1123Subdomain(*ep.NodeName) {
				errs = append(errs, field.Invalid(p.Child("nodeName"), *ep.NodeName, msg))
			}
		}
		tp := p.Child("deprecatedTopology")
		if len(ep.DeprecatedTopology) > maxTopologyLabels {
			errs = append(errs, field.TooMany(tp, len(ep.DeprecatedTopology), maxTopologyLabels))
		}
		errs = append(errs, metav1validation.ValidateLabels(ep.DeprecatedTopology, tp)...)
		if ep.Hostname != nil {
			for _, msg := range validation.IsDNS1123Label(*ep.Hostname) {
				errs = append(errs, field.Invalid(p.Child("hostname"), *ep.Hostname, msg))
			}
		}
		if ep.Hints != nil {
			errs = append(errs, validateHints(ep.Hints, p.Child("hints"))...)
		}
	}
	return errs
}

// validateAddress checks an address fits the slice's family. IP endpoints
// may not be special addresses: a proxy forwarding to 127.0.0.1 or a
// link-local address would reach the node itself, not a pod.
func validateAddress(a string, family discoveryv1.AddressType, p *field.Path) field.ErrorList {
	switch family {
	case discoveryv1.AddressTypeFQDN:
		return validation.IsFullyQualifiedDomainName(p, a)
	case discoveryv1.AddressTypeIPv4, discoveryv1.AddressTypeIPv6:
	default:
		return nil // unknown families are reported on addressType
	}
	ip, err := netip.ParseAddr(a)
	if err != nil || ip.Zone() != "" || ip.String() != a {
		// Canonical form only: "010.0.0.1" or "::FFFF:1.2.3.4" parse
		// differently across libraries and would be ambiguous.
		return field.ErrorList{field.Invalid(p, a, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")}
	}
	switch {
	case family == discoveryv1.AddressTypeIPv4 && !ip.Is4():
		return field.ErrorList{field.Invalid(p, a, "must be a valid IPv4 address")}
	case family == discoveryv1.AddressTypeIPv6 && !ip.Is6():
		return field.ErrorList{field.Invalid(p, a, "must be a valid IPv6 address")}
	case ip.IsUnspecified():
		return field.ErrorList{field.Invalid(p, a, "may not be unspecified (0.0.0.0, ::)")}
	case ip.IsLoopback():
		return field.ErrorList{field.Invalid(p, a, "may not be in the loopback range (127.0.0.0/8, ::1/128)")}
	case ip.IsLinkLocalUnicast():
		return field.ErrorList{field.Invalid(p, a, "may not be in the link-local range (169.254.0.0/16, fe80::/10)")}
	case ip.IsLinkLocalMulticast():
		return field.ErrorList{field.Invalid(p, a, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")}
	}
	return nil
}

func validateHints(h *discoveryv1.EndpointHints, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	zp := fldPath.Child("forZones")
	if len(h.ForZones) > maxHints {
		errs = append(errs, field.TooMany(zp, len(h.ForZones), maxHints))
	} else {
		seen := map[string]bool{}
		for i, z := range h.ForZones {
			p := zp.Index(i).Child("name")
			if seen[z.Name] {
				errs = append(errs, field.Duplicate(p, z.Name))
			}
			seen[z.Name] = true
			for _, msg := range content.IsLabelValue(z.Name) {
				errs = append(errs, field.Invalid(p, z.Name, msg))
			}
		}
	}
	np := fldPath.Child("forNodes")
	if len(h.ForNodes) > maxHints {
		errs = append(errs, field.TooMany(np, len(h.ForNodes), maxHints))
	} else {
		seen := map[string]bool{}
		for i, n := range h.ForNodes {
			p := np.Index(i).Child("name")
			if seen[n.Name] {
				errs = append(errs, field.Duplicate(p, n.Name))
			}
			seen[n.Name] = true
			for _, msg := range validation.IsDNS1123Subdomain(n.Name) {
				errs = append(errs, field.Invalid(p, n.Name, msg))
			}
		}
	}
	return errs
}

func validatePorts(ports []discoveryv1.EndpointPort, fldPath *field.Path) field.ErrorList {
	if len(ports) > maxPorts {
		return field.ErrorList{field.TooMany(fldPath, len(ports), maxPorts)}
	}
	var errs field.ErrorList
	names := map[string]bool{}
	for i, port := range ports {
		p := fldPath.Index(i)
		name := ""
		if port.Name != nil {
			name = *port.Name
		}
		// A DNS label, as upstream: slices carry Service port names, which
		// may be all digits ("8080-8080" from kubectl create service).
		if name != "" {
			for _, msg := range validation.IsDNS1123Label(name) {
				errs = append(errs, field.Invalid(p.Child("name"), name, msg))
			}
		}
		// Names key the port in Service targetPort lookups.
		if names[name] {
			errs = append(errs, field.Duplicate(p.Child("name"), name))
		}
		names[name] = true
		switch {
		case port.Protocol == nil:
			errs = append(errs, field.Required(p.Child("protocol"), ""))
		case *port.Protocol != v1.ProtocolTCP && *port.Protocol != v1.ProtocolUDP && *port.Protocol != v1.ProtocolSCTP:
			errs = append(errs, field.NotSupported(p.Child("protocol"), *port.Protocol, portProtocols))
		}
		if port.Port != nil {
			for _, msg := range validation.IsValidPortNum(int(*port.Port)) {
				errs = append(errs, field.Invalid(p.Child("port"), *port.Port, msg))
			}
		}
		if port.AppProtocol != nil {
			for _, msg := range content.IsLabelKey(*port.AppProtocol) {
				errs = append(errs, field.Invalid(p.Child("appProtocol"), *port.AppProtocol, msg))
			}
		}
	}
	return errs
}

// PrepareForCreate starts generation at 1: EndpointSlices have no spec, but
// upstream tracks their generation so consumers can tell fresh data.
func (endpointSliceStrategy) PrepareForCreate(_ context.Context, obj runtime.Object) {
	obj.(*discoveryv1.EndpointSlice).Generation = 1
}

// PrepareForUpdate bumps generation when anything but metadata changed.
func (endpointSliceStrategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	slice, oldSlice := obj.(*discoveryv1.EndpointSlice), old.(*discoveryv1.EndpointSlice)
	slice.Generation = oldSlice.Generation
	if registry.SpecChanged(obj, old) {
		slice.Generation++
	}
}
