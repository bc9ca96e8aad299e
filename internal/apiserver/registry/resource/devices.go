package resource

import (
	resourcev1 "k8s.io/api/resource/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// Upstream's bounds on selectors and configuration, which the scheduler
// evaluates for every candidate device.
const (
	maxSelectors          = 32
	maxCELExpressionBytes = 10 * 1024
	maxConfigs            = 32
	maxRequests           = resourcev1.DeviceRequestsMaxSize
	maxSubRequests        = resourcev1.FirstAvailableDeviceRequestMaxSize
)

var allocationModes = []resourcev1.DeviceAllocationMode{resourcev1.DeviceAllocationModeExactCount, resourcev1.DeviceAllocationModeAll}

// defaultClaimSpec fills what upstream defaults in a claim's requests:
// exactly one device unless asked otherwise, tolerations matching by value.
func defaultClaimSpec(s *resourcev1.ResourceClaimSpec) {
	for i := range s.Devices.Requests {
		r := &s.Devices.Requests[i]
		if r.Exactly != nil {
			defaultMode(&r.Exactly.AllocationMode, &r.Exactly.Count)
			defaultTolerations(r.Exactly.Tolerations)
		}
		for j := range r.FirstAvailable {
			sub := &r.FirstAvailable[j]
			defaultMode(&sub.AllocationMode, &sub.Count)
			defaultTolerations(sub.Tolerations)
		}
	}
}

func defaultMode(mode *resourcev1.DeviceAllocationMode, count *int64) {
	if *mode == "" {
		*mode = resourcev1.DeviceAllocationModeExactCount
	}
	if *mode == resourcev1.DeviceAllocationModeExactCount && *count == 0 {
		*count = 1
	}
}

func defaultTolerations(ts []resourcev1.DeviceToleration) {
	for i := range ts {
		if ts[i].Operator == "" {
			ts[i].Operator = resourcev1.DeviceTolerationOpEqual
		}
	}
}

// validateClaimSpec checks a claim's (or template's) device requests:
// uniquely named, each either one exact request or a list of alternatives,
// each naming a device class.
func validateClaimSpec(s *resourcev1.ResourceClaimSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	dp := p.Child("devices")
	rp := dp.Child("requests")
	if len(s.Devices.Requests) > maxRequests {
		errs = append(errs, field.TooMany(rp, len(s.Devices.Requests), maxRequests))
	}
	names := sets.New[string]()
	for i, r := range s.Devices.Requests {
		ip := rp.Index(i)
		errs = append(errs, validateName(r.Name, apivalidation.NameIsDNSLabel, ip.Child("name"))...)
		if names.Has(r.Name) {
			errs = append(errs, field.Duplicate(ip.Child("name"), r.Name))
		}
		names.Insert(r.Name)
		switch {
		case r.Exactly == nil && len(r.FirstAvailable) == 0:
			errs = append(errs, field.Required(ip, "exactly one of `exactly` or `firstAvailable` is required"))
		case r.Exactly != nil && len(r.FirstAvailable) > 0:
			errs = append(errs, field.Invalid(ip, nil, "exactly one of `exactly` or `firstAvailable` is required, but multiple fields are set"))
		case r.Exactly != nil:
			e := r.Exactly
			errs = append(errs, validateRequestCore(e.DeviceClassName, e.Selectors, e.AllocationMode, e.Count, ip.Child("exactly"))...)
		default:
			fp := ip.Child("firstAvailable")
			if len(r.FirstAvailable) > maxSubRequests {
				errs = append(errs, field.TooMany(fp, len(r.FirstAvailable), maxSubRequests))
			}
			subNames := sets.New[string]()
			for j, sub := range r.FirstAvailable {
				sp := fp.Index(j)
				errs = append(errs, validateName(sub.Name, apivalidation.NameIsDNSLabel, sp.Child("name"))...)
				if subNames.Has(sub.Name) {
					errs = append(errs, field.Duplicate(sp.Child("name"), sub.Name))
				}
				subNames.Insert(sub.Name)
				errs = append(errs, validateRequestCore(sub.DeviceClassName, sub.Selectors, sub.AllocationMode, sub.Count, sp)...)
			}
		}
	}
	for i, c := range s.Devices.Constraints {
		errs = append(errs, validateRequestRefs(c.Requests, names, dp.Child("constraints").Index(i).Child("requests"))...)
	}
	cp := dp.Child("config")
	if len(s.Devices.Config) > maxConfigs {
		errs = append(errs, field.TooMany(cp, len(s.Devices.Config), maxConfigs))
	}
	for i, c := range s.Devices.Config {
		errs = append(errs, validateRequestRefs(c.Requests, names, cp.Index(i).Child("requests"))...)
		errs = append(errs, validateConfig(c.DeviceConfiguration, cp.Index(i))...)
	}
	return errs
}

func validateRequestCore(class string, selectors []resourcev1.DeviceSelector, mode resourcev1.DeviceAllocationMode, count int64, p *field.Path) field.ErrorList {
	errs := validateName(class, apivalidation.NameIsDNSSubdomain, p.Child("deviceClassName"))
	errs = append(errs, validateSelectors(selectors, p.Child("selectors"))...)
	switch mode {
	case resourcev1.DeviceAllocationModeAll:
		if count != 0 {
			errs = append(errs, field.Invalid(p.Child("count"), count, "must not be specified when allocationMode is 'All'"))
		}
	case resourcev1.DeviceAllocationModeExactCount:
		if count <= 0 {
			errs = append(errs, field.Invalid(p.Child("count"), count, "must be greater than zero"))
		}
	default:
		errs = append(errs, field.NotSupported(p.Child("allocationMode"), mode, allocationModes))
	}
	return errs
}

// validateRequestRefs checks that constraints and configs name requests
// that exist (a subrequest is named "request/subrequest").
func validateRequestRefs(refs []string, requests sets.Set[string], p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, ref := range refs {
		name := ref
		for j := range ref {
			if ref[j] == '/' {
				name = ref[:j]
				break
			}
		}
		if !requests.Has(name) {
			errs = append(errs, field.Invalid(p.Index(i), ref, "must be the name of a request in the claim or the name of a request and a subrequest separated by '/'"))
		}
	}
	return errs
}

func validateSelectors(selectors []resourcev1.DeviceSelector, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(selectors) > maxSelectors {
		errs = append(errs, field.TooMany(p, len(selectors), maxSelectors))
	}
	for i, s := range selectors {
		sp := p.Index(i)
		switch {
		case s.CEL == nil:
			errs = append(errs, field.Required(sp.Child("cel"), ""))
		case s.CEL.Expression == "":
			errs = append(errs, field.Required(sp.Child("cel", "expression"), ""))
		case len(s.CEL.Expression) > maxCELExpressionBytes:
			errs = append(errs, field.TooLong(sp.Child("cel", "expression"), "", maxCELExpressionBytes))
		}
	}
	return errs
}

// validateConfig checks one opaque configuration: which driver it is for,
// and that there are parameters to pass.
func validateConfig(c resourcev1.DeviceConfiguration, p *field.Path) field.ErrorList {
	op := p.Child("opaque")
	if c.Opaque == nil {
		return field.ErrorList{field.Required(op, "")}
	}
	errs := registry.ValidateDriverName(c.Opaque.Driver, op.Child("driver"))
	if len(c.Opaque.Parameters.Raw) == 0 && c.Opaque.Parameters.Object == nil {
		errs = append(errs, field.Required(op.Child("parameters"), ""))
	}
	return errs
}
