package networking

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	v1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/validate/content"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// ingressClassAnnotation is the pre-IngressClass way to pick a controller.
const ingressClassAnnotation = "kubernetes.io/ingress.class"

var pathTypes = []networkingv1.PathType{networkingv1.PathTypeExact, networkingv1.PathTypeImplementationSpecific, networkingv1.PathTypePrefix}

// ingressStrategy is networking.k8s.io/v1 Ingress. It has no defaults in
// v1: pathType is required, so controllers never guess path semantics.
type ingressStrategy struct{ registry.Base }

func (ingressStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	ing := obj.(*networkingv1.Ingress)
	errs := apivalidation.ValidateObjectMeta(&ing.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	errs = append(errs, validateIngressSpec(&ing.Spec, field.NewPath("spec"))...)
	// Two ways of naming the class would let two controllers claim it.
	if _, ok := ing.Annotations[ingressClassAnnotation]; ok && ing.Spec.IngressClassName != nil {
		errs = append(errs, field.Invalid(field.NewPath("metadata", "annotations").Key(ingressClassAnnotation),
			ing.Annotations[ingressClassAnnotation], "can not be set when the class field is also set"))
	}
	return errs
}

func (ingressStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	ing, o := obj.(*networkingv1.Ingress), old.(*networkingv1.Ingress)
	errs := apivalidation.ValidateObjectMetaUpdate(&ing.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	return append(errs, validateIngressSpec(&ing.Spec, field.NewPath("spec"))...)
}

func validateIngressSpec(spec *networkingv1.IngressSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(spec.Rules) == 0 && spec.DefaultBackend == nil {
		errs = append(errs, field.Invalid(fldPath, spec.Rules, "either `defaultBackend` or `rules` must be specified"))
	}
	if spec.DefaultBackend != nil {
		errs = append(errs, validateBackend(spec.DefaultBackend, fldPath.Child("defaultBackend"))...)
	}
	for i, r := range spec.Rules {
		errs = append(errs, validateRule(&r, fldPath.Child("rules").Index(i))...)
	}
	for i, tls := range spec.TLS {
		p := fldPath.Child("tls").Index(i)
		for j, h := range tls.Hosts {
			errs = append(errs, validateHost(h, p.Child("hosts").Index(j))...)
		}
		if tls.SecretName != "" {
			for _, msg := range validation.IsDNS1123Subdomain(tls.SecretName) {
				errs = append(errs, field.Invalid(p.Child("secretName"), tls.SecretName, msg))
			}
		}
	}
	if c := spec.IngressClassName; c != nil && *c != "" {
		for _, msg := range validation.IsDNS1123Subdomain(*c) {
			errs = append(errs, field.Invalid(fldPath.Child("ingressClassName"), *c, msg))
		}
	}
	return errs
}

// validateHost accepts DNS names and "*."-wildcards; hosts match the HTTP
// Host header, so IP addresses are refused.
func validateHost(h string, p *field.Path) field.ErrorList {
	var msgs []string
	if strings.Contains(h, "*") {
		msgs = validation.IsWildcardDNS1123Subdomain(h)
	} else {
		msgs = validation.IsDNS1123Subdomain(h)
	}
	var errs field.ErrorList
	for _, msg := range msgs {
		errs = append(errs, field.Invalid(p, h, msg))
	}
	return errs
}

func validateRule(r *networkingv1.IngressRule, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if r.Host != "" {
		if _, err := netip.ParseAddr(r.Host); err == nil {
			errs = append(errs, field.Invalid(p.Child("host"), r.Host, "must be a DNS name, not an IP address"))
		}
		errs = append(errs, validateHost(r.Host, p.Child("host"))...)
	}
	if r.HTTP == nil {
		return errs
	}
	hp := p.Child("http")
	if len(r.HTTP.Paths) == 0 {
		errs = append(errs, field.Required(hp.Child("paths"), ""))
	}
	for i, path := range r.HTTP.Paths {
		errs = append(errs, validatePath(&path, hp.Child("paths").Index(i))...)
	}
	return errs
}

// validatePath checks a path against its type. Exact and Prefix paths are
// matched by every controller the same way, so they must be clean absolute
// paths; ImplementationSpecific leaves the rest to the controller.
func validatePath(path *networkingv1.HTTPIngressPath, p *field.Path) field.ErrorList {
	if path.PathType == nil {
		return field.ErrorList{field.Required(p.Child("pathType"), "pathType must be specified")}
	}
	var errs field.ErrorList
	pp := p.Child("path")
	switch *path.PathType {
	case networkingv1.PathTypeExact, networkingv1.PathTypePrefix:
		if !strings.HasPrefix(path.Path, "/") {
			errs = append(errs, field.Invalid(pp, path.Path, "must be an absolute path"))
		}
		for _, seq := range []string{"//", "/./", "/../", "%2f", "%2F"} {
			if strings.Contains(path.Path, seq) {
				errs = append(errs, field.Invalid(pp, path.Path, fmt.Sprintf("must not contain '%s'", seq)))
			}
		}
		for _, suffix := range []string{"/..", "/."} {
			if strings.HasSuffix(path.Path, suffix) {
				errs = append(errs, field.Invalid(pp, path.Path, fmt.Sprintf("cannot end with '%s'", suffix)))
			}
		}
	case networkingv1.PathTypeImplementationSpecific:
		if path.Path != "" && !strings.HasPrefix(path.Path, "/") {
			errs = append(errs, field.Invalid(pp, path.Path, "must be an absolute path"))
		}
	default:
		errs = append(errs, field.NotSupported(p.Child("pathType"), *path.PathType, pathTypes))
	}
	return append(errs, validateBackend(&path.Backend, p.Child("backend"))...)
}

// validateBackend accepts exactly one of a service (with a port name or
// number) or a typed resource reference.
func validateBackend(b *networkingv1.IngressBackend, p *field.Path) field.ErrorList {
	switch {
	case b.Resource != nil && b.Service != nil:
		return field.ErrorList{field.Invalid(p, "", "cannot set both resource and service backends")}
	case b.Resource != nil:
		return validateTypedReference(b.Resource.APIGroup, b.Resource.Kind, b.Resource.Name, p.Child("resource"))
	case b.Service == nil:
		return field.ErrorList{field.Invalid(p, "", "resource or service backend is required")}
	}
	var errs field.ErrorList
	s := b.Service
	if s.Name == "" {
		errs = append(errs, field.Required(p.Child("service", "name"), ""))
	} else {
		for _, msg := range validation.IsDNS1035Label(s.Name) {
			errs = append(errs, field.Invalid(p.Child("service", "name"), s.Name, msg))
		}
	}
	hasName, hasNumber := s.Port.Name != "", s.Port.Number != 0
	switch {
	case hasName && hasNumber:
		errs = append(errs, field.Invalid(p, "", "cannot set both port name & port number"))
	case hasName:
		for _, msg := range validation.IsValidPortName(s.Port.Name) {
			errs = append(errs, field.Invalid(p.Child("service", "port", "name"), s.Port.Name, msg))
		}
	case hasNumber:
		for _, msg := range validation.IsValidPortNum(int(s.Port.Number)) {
			errs = append(errs, field.Invalid(p.Child("service", "port", "number"), s.Port.Number, msg))
		}
	default:
		errs = append(errs, field.Required(p, "port name or number is required"))
	}
	return errs
}

// validateTypedReference checks a reference to an object of any kind (a
// resource backend, an IngressClass's parameters): each part must be safe
// as a URL path segment, since controllers fetch the object by it.
func validateTypedReference(group *string, kind, name string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if group != nil {
		for _, msg := range validation.IsDNS1123Subdomain(*group) {
			errs = append(errs, field.Invalid(p.Child("apiGroup"), *group, msg))
		}
	}
	for _, part := range []struct{ name, value string }{{"kind", kind}, {"name", name}} {
		if part.value == "" {
			errs = append(errs, field.Required(p.Child(part.name), part.name+" is required"))
			continue
		}
		for _, msg := range content.IsPathSegmentName(part.value) {
			errs = append(errs, field.Invalid(p.Child(part.name), part.value, msg))
		}
	}
	return errs
}

// ValidateStatusUpdate checks the load-balancer addresses a controller
// reports.
func (ingressStrategy) ValidateStatusUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	ing, o := obj.(*networkingv1.Ingress), old.(*networkingv1.Ingress)
	errs := apivalidation.ValidateObjectMetaUpdate(&ing.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	p := field.NewPath("status", "loadBalancer", "ingress")
	protocols := sets.New(v1.ProtocolTCP, v1.ProtocolUDP, v1.ProtocolSCTP)
	for i, lb := range ing.Status.LoadBalancer.Ingress {
		ip := p.Index(i)
		if lb.IP != "" {
			errs = append(errs, validation.IsValidIP(ip.Child("ip"), lb.IP)...)
		}
		if lb.Hostname != "" {
			for _, msg := range validation.IsDNS1123Subdomain(lb.Hostname) {
				errs = append(errs, field.Invalid(ip.Child("hostname"), lb.Hostname, msg))
			}
			if _, err := netip.ParseAddr(lb.Hostname); err == nil {
				errs = append(errs, field.Invalid(ip.Child("hostname"), lb.Hostname, "must be a DNS name, not an IP address"))
			}
		}
		for j, port := range lb.Ports {
			pp := ip.Child("ports").Index(j)
			for _, msg := range validation.IsValidPortNum(int(port.Port)) {
				errs = append(errs, field.Invalid(pp.Child("port"), port.Port, msg))
			}
			if !protocols.Has(port.Protocol) {
				errs = append(errs, field.NotSupported(pp.Child("protocol"), port.Protocol, sets.List(protocols)))
			}
		}
	}
	return errs
}

// TableColumns are kubectl's: CLASS HOSTS ADDRESS PORTS AGE.
func (ingressStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		{Name: "Class", Type: "string", Description: "The name of the IngressClass resource that should be used for additional configuration"},
		{Name: "Hosts", Type: "string", Description: "Hosts that incoming requests are matched against before the ingress rule"},
		{Name: "Address", Type: "string", Description: "Address is a list containing ingress points for the load-balancer"},
		{Name: "Ports", Type: "string", Description: "Ports of TLS configurations that open"},
		registry.AgeColumn,
	}
}

func (ingressStrategy) TableRow(obj runtime.Object) []interface{} {
	ing := obj.(*networkingv1.Ingress)
	class := "<none>"
	if ing.Spec.IngressClassName != nil {
		class = *ing.Spec.IngressClassName
	}
	// TLS implies the controller also listens on 443.
	ports := "80"
	if len(ing.Spec.TLS) > 0 {
		ports = "80, 443"
	}
	return []interface{}{class, hostsCell(ing.Spec.Rules), addressCell(ing.Status.LoadBalancer), ports, registry.Age(obj)}
}

// hostsCell lists the first three rule hosts (kubectl counts the rest by
// rule, hosted or not), "*" when no rule names one.
func hostsCell(rules []networkingv1.IngressRule) string {
	const listed = 3
	var hosts []string
	more := false
	for _, r := range rules {
		if len(hosts) == listed {
			more = true
		}
		if !more && r.Host != "" {
			hosts = append(hosts, r.Host)
		}
	}
	switch {
	case len(hosts) == 0:
		return "*"
	case more:
		return fmt.Sprintf("%s + %d more...", strings.Join(hosts, ","), len(rules)-listed)
	}
	return strings.Join(hosts, ",")
}

// addressCell lists each load-balancer IP (or hostname when it has none),
// deduplicated and sorted so the cell is stable between requests.
func addressCell(s networkingv1.IngressLoadBalancerStatus) string {
	addrs := sets.New[string]()
	for _, lb := range s.Ingress {
		switch {
		case lb.IP != "":
			addrs.Insert(lb.IP)
		case lb.Hostname != "":
			addrs.Insert(lb.Hostname)
		}
	}
	return strings.Join(sets.List(addrs), ",")
}
