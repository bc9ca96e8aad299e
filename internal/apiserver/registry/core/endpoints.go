package core

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/podspec"
	v1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func endpoints() *registry.Resource {
	return &registry.Resource{
		GroupVersion: v1.SchemeGroupVersion, Kind: "Endpoints",
		Plural: "endpoints", Singular: "endpoints", ShortNames: []string{"ep"},
		Namespaced: true,
		New:        func() runtime.Object { return &v1.Endpoints{} },
		NewList:    func() runtime.Object { return &v1.EndpointsList{} },
		Strategy:   endpointsStrategy{},
	}
}

type endpointsStrategy struct{ registry.Base }

func (endpointsStrategy) Default(obj runtime.Object) {
	for i := range obj.(*v1.Endpoints).Subsets {
		ss := &obj.(*v1.Endpoints).Subsets[i]
		for j := range ss.Ports {
			if ss.Ports[j].Protocol == "" {
				ss.Ports[j].Protocol = v1.ProtocolTCP
			}
		}
	}
}

func (endpointsStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	ep := obj.(*v1.Endpoints)
	return append(validateMeta(&ep.ObjectMeta, true, subdomainName), validateEndpointSubsets(ep.Subsets)...)
}

func (endpointsStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	ep, oldEp := obj.(*v1.Endpoints), old.(*v1.Endpoints)
	return append(validateMetaUpdate(&ep.ObjectMeta, &oldEp.ObjectMeta, true, subdomainName), validateEndpointSubsets(ep.Subsets)...)
}

func validateEndpointSubsets(subsets []v1.EndpointSubset) field.ErrorList {
	var errs field.ErrorList
	for i, ss := range subsets {
		p := field.NewPath("subsets").Index(i)
		if len(ss.Addresses) == 0 && len(ss.NotReadyAddresses) == 0 {
			errs = append(errs, field.Required(p, "must specify `addresses` or `notReadyAddresses`"))
		}
		for j, a := range ss.Addresses {
			errs = append(errs, validateEndpointAddress(a, p.Child("addresses").Index(j))...)
		}
		for j, a := range ss.NotReadyAddresses {
			errs = append(errs, validateEndpointAddress(a, p.Child("notReadyAddresses").Index(j))...)
		}
		for j, port := range ss.Ports {
			pp := p.Child("ports").Index(j)
			if len(ss.Ports) > 1 || port.Name != "" {
				errs = append(errs, requiredLabel(port.Name, pp.Child("name"))...)
			}
			for _, msg := range utilvalidation.IsValidPortNum(int(port.Port)) {
				errs = append(errs, field.Invalid(pp.Child("port"), port.Port, msg))
			}
			errs = append(errs, oneOf(port.Protocol, protocols, true, pp.Child("protocol"))...)
		}
	}
	return errs
}

// validateEndpointAddress: proxies will send traffic to these addresses, so
// the host's own special ranges are refused as upstream does.
func validateEndpointAddress(a v1.EndpointAddress, p *field.Path) field.ErrorList {
	errs := utilvalidation.IsValidIPForLegacyField(p.Child("ip"), a.IP, true, nil)
	if len(errs) == 0 {
		ip := net.ParseIP(a.IP)
		switch {
		case ip.IsUnspecified():
			errs = append(errs, field.Invalid(p.Child("ip"), a.IP, "may not be unspecified (0.0.0.0, ::)"))
		case ip.IsLoopback():
			errs = append(errs, field.Invalid(p.Child("ip"), a.IP, "may not be in the loopback range (127.0.0.0/8, ::1/128)"))
		case ip.IsLinkLocalUnicast():
			errs = append(errs, field.Invalid(p.Child("ip"), a.IP, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"))
		case ip.IsLinkLocalMulticast():
			errs = append(errs, field.Invalid(p.Child("ip"), a.IP, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"))
		}
	}
	if a.Hostname != "" {
		errs = append(errs, podspec.ValidateDNS1123Label(a.Hostname, p.Child("hostname"))...)
	}
	if a.NodeName != nil {
		for _, msg := range apivalidation.NameIsDNSSubdomain(*a.NodeName, false) {
			errs = append(errs, field.Invalid(p.Child("nodeName"), *a.NodeName, msg))
		}
	}
	return errs
}

func requiredLabel(v string, p *field.Path) field.ErrorList {
	if v == "" {
		return field.ErrorList{field.Required(p, "")}
	}
	return podspec.ValidateDNS1123Label(v, p)
}

func (endpointsStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		registry.Column("Endpoints", "string", "The set of all endpoints is the union of all subsets.", false),
		registry.AgeColumn,
	}
}

func (endpointsStrategy) TableRow(obj runtime.Object) []interface{} {
	return []interface{}{formatEndpoints(obj.(*v1.Endpoints)), registry.Age(obj)}
}

// formatEndpoints lists up to three ready ip:port pairs and counts the
// rest, as kubectl does ("10.0.0.1:80,10.0.0.2:80 + 3 more...").
func formatEndpoints(ep *v1.Endpoints) string {
	if len(ep.Subsets) == 0 {
		return "<none>"
	}
	const max = 3
	var list []string
	count, more := 0, false
	add := func(s string) {
		if len(list) == max {
			more = true
			return
		}
		list = append(list, s)
	}
	for _, ss := range ep.Subsets {
		if len(ss.Ports) == 0 {
			// Headless services without ports list bare addresses.
			count += len(ss.Addresses)
			for _, a := range ss.Addresses {
				if add(a.IP); more {
					break
				}
			}
			continue
		}
		for _, port := range ss.Ports {
			count += len(ss.Addresses)
			for _, a := range ss.Addresses {
				if add(net.JoinHostPort(a.IP, strconv.Itoa(int(port.Port)))); more {
					break
				}
			}
		}
	}
	s := strings.Join(list, ",")
	if more {
		return fmt.Sprintf("%s + %d more...", s, count-max)
	}
	return s
}
