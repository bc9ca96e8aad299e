package podspec

import (
	"fmt"
	"strings"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Upstream's wording, reused by quotas and limit ranges.
const (
	isNegativeErrorMsg   = "must be greater than or equal to 0"
	isNotIntegerErrorMsg = "must be an integer"
)

// IsHugePageResourceName tells whether name is hugepages-<size>.
func IsHugePageResourceName(name v1.ResourceName) bool {
	return strings.HasPrefix(string(name), v1.ResourceHugePagesPrefix)
}

// IsNativeResource tells whether name belongs to Kubernetes itself: no
// domain, or a kubernetes.io domain.
func IsNativeResource(name v1.ResourceName) bool {
	return !strings.Contains(string(name), "/") || strings.Contains(string(name), v1.ResourceDefaultNamespacePrefix)
}

// IsExtendedResourceName tells whether name is a vendor resource such as
// example.com/gpu: domain-qualified, not native, and usable in a quota as
// requests.<name>.
func IsExtendedResourceName(name v1.ResourceName) bool {
	if IsNativeResource(name) || strings.HasPrefix(string(name), v1.DefaultResourceRequestsPrefix) {
		return false
	}
	return len(utilvalidation.IsQualifiedName(v1.DefaultResourceRequestsPrefix+string(name))) == 0
}

// IsOvercommitAllowed tells whether requests may be below limits for name;
// extended resources and hugepages must request exactly their limit.
func IsOvercommitAllowed(name v1.ResourceName) bool {
	return IsNativeResource(name) && !IsHugePageResourceName(name)
}

// isStandardContainerResourceName: what a container may request.
func isStandardContainerResourceName(name v1.ResourceName) bool {
	switch name {
	case v1.ResourceCPU, v1.ResourceMemory, v1.ResourceEphemeralStorage:
		return true
	}
	return IsHugePageResourceName(name)
}

// integerResources are counted in whole units in quotas.
var integerResources = map[v1.ResourceName]bool{
	v1.ResourcePods: true, v1.ResourceQuotas: true, v1.ResourceServices: true,
	v1.ResourceReplicationControllers: true, v1.ResourceSecrets: true,
	v1.ResourceConfigMaps: true, v1.ResourcePersistentVolumeClaims: true,
	v1.ResourceServicesNodePorts: true, v1.ResourceServicesLoadBalancers: true,
}

// IsIntegerResourceName tells whether name may only hold whole numbers.
func IsIntegerResourceName(name v1.ResourceName) bool {
	return integerResources[name] || strings.HasPrefix(string(name), "count/") || IsExtendedResourceName(name)
}

// ValidateNonnegativeQuantity refuses negative quantities.
func ValidateNonnegativeQuantity(q resource.Quantity, fldPath *field.Path) field.ErrorList {
	if q.Sign() < 0 {
		return field.ErrorList{field.Invalid(fldPath, q.String(), isNegativeErrorMsg)}
	}
	return nil
}

// ValidateResourceQuantityValue refuses negative quantities, and fractions
// of resources counted in whole units.
func ValidateResourceQuantityValue(name v1.ResourceName, q resource.Quantity, fldPath *field.Path) field.ErrorList {
	errs := ValidateNonnegativeQuantity(q, fldPath)
	if IsIntegerResourceName(name) && q.MilliValue()%1000 != 0 {
		errs = append(errs, field.Invalid(fldPath, q, isNotIntegerErrorMsg))
	}
	return errs
}

// ValidateResourceName checks a resource name in a quota or limit range: a
// qualified name, and a standard one when it has no domain.
func ValidateResourceName(name v1.ResourceName, fldPath *field.Path, standard func(v1.ResourceName) bool) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range utilvalidation.IsQualifiedName(string(name)) {
		errs = append(errs, field.Invalid(fldPath, name, msg))
	}
	if len(errs) == 0 && !strings.Contains(string(name), "/") && standard != nil && !standard(name) {
		errs = append(errs, field.Invalid(fldPath, name, "must be a standard resource type or fully qualified"))
	}
	return errs
}

func validateContainerResourceName(name v1.ResourceName, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range utilvalidation.IsQualifiedName(string(name)) {
		errs = append(errs, field.Invalid(fldPath, name, msg))
	}
	if len(errs) > 0 {
		return errs
	}
	if !strings.Contains(string(name), "/") {
		if !isStandardContainerResourceName(name) {
			errs = append(errs, field.Invalid(fldPath, name, "must be a standard resource for containers"))
		}
	} else if !IsNativeResource(name) && !IsExtendedResourceName(name) {
		errs = append(errs, field.Invalid(fldPath, name, "doesn't follow extended resource name standard"))
	}
	return errs
}

// ValidateResourceRequirements checks a container's (or pod's) requests and
// limits: known names, non-negative amounts, requests <= limits, and
// requests == limits where overcommit is not allowed.
func ValidateResourceRequirements(r *v1.ResourceRequirements, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	limPath, reqPath := fldPath.Child("limits"), fldPath.Child("requests")
	for _, name := range sortedNames(r.Limits) {
		p := limPath.Key(string(name))
		errs = append(errs, validateContainerResourceName(name, p)...)
		errs = append(errs, ValidateResourceQuantityValue(name, r.Limits[name], p)...)
	}
	for _, name := range sortedNames(r.Requests) {
		q := r.Requests[name]
		p := reqPath.Key(string(name))
		errs = append(errs, validateContainerResourceName(name, p)...)
		errs = append(errs, ValidateResourceQuantityValue(name, q, p)...)
		limit, hasLimit := r.Limits[name]
		switch {
		case hasLimit && q.Cmp(limit) != 0 && !IsOvercommitAllowed(name):
			errs = append(errs, field.Invalid(reqPath, q.String(), fmt.Sprintf("must be equal to %s limit of %s", name, limit.String())))
		case hasLimit && q.Cmp(limit) > 0:
			errs = append(errs, field.Invalid(reqPath, q.String(), fmt.Sprintf("must be less than or equal to %s limit of %s", name, limit.String())))
		case !hasLimit && !IsOvercommitAllowed(name):
			errs = append(errs, field.Required(limPath, "Limit must be set for non overcommitable resources"))
		}
	}
	for i, c := range r.Claims {
		p := fldPath.Child("claims").Index(i)
		if c.Name == "" {
			errs = append(errs, field.Required(p.Child("name"), ""))
		}
	}
	return errs
}
