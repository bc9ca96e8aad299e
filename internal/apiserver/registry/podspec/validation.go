package podspec

import (
	"fmt"
	"math"
	"strings"

	v1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Limits of the resolv.conf the kubelet writes (glibc's).
const (
	maxDNSNameservers     = 3
	maxDNSSearchPaths     = 32
	maxDNSSearchListChars = 2048
)

var (
	restartPolicies = []v1.RestartPolicy{v1.RestartPolicyAlways, v1.RestartPolicyOnFailure, v1.RestartPolicyNever}
	dnsPolicies     = []v1.DNSPolicy{v1.DNSClusterFirstWithHostNet, v1.DNSClusterFirst, v1.DNSDefault, v1.DNSNone}
	osNames         = []v1.OSName{v1.Linux, v1.Windows}
	podResources    = []v1.ResourceName{v1.ResourceCPU, v1.ResourceMemory}
)

// ValidateRestartPolicy checks a pod's restartPolicy.
func ValidateRestartPolicy(p v1.RestartPolicy, fldPath *field.Path) field.ErrorList {
	return oneOf(p, restartPolicies, true, fldPath)
}

func validatePodSpec(spec *v1.PodSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList

	vols, verrs := validateVolumes(spec.Volumes, fldPath.Child("volumes"))
	errs = append(errs, verrs...)

	if len(spec.Containers) == 0 {
		errs = append(errs, field.Required(fldPath.Child("containers"), ""))
	}
	names := map[string]bool{}
	errs = append(errs, validateContainers(spec.Containers, regularContainer, spec, vols, names, fldPath.Child("containers"))...)
	errs = append(errs, validateContainers(spec.InitContainers, initContainer, spec, vols, names, fldPath.Child("initContainers"))...)
	ep := fldPath.Child("ephemeralContainers")
	for i := range spec.EphemeralContainers {
		ec := &spec.EphemeralContainers[i]
		c := v1.Container(ec.EphemeralContainerCommon)
		p := ep.Index(i)
		if c.Name != "" && names[c.Name] {
			errs = append(errs, field.Duplicate(p.Child("name"), c.Name))
		}
		names[c.Name] = true
		errs = append(errs, validateContainer(&c, ephemeralContainer, spec, vols, p)...)
	}

	errs = append(errs, ValidateRestartPolicy(spec.RestartPolicy, fldPath.Child("restartPolicy"))...)
	errs = append(errs, oneOf(spec.DNSPolicy, dnsPolicies, true, fldPath.Child("dnsPolicy"))...)
	errs = append(errs, validateDNSConfig(spec.DNSConfig, spec.DNSPolicy, fldPath.Child("dnsConfig"))...)
	errs = append(errs, metav1validation.ValidateLabels(spec.NodeSelector, fldPath.Child("nodeSelector"))...)
	errs = append(errs, validatePodSecurityContext(spec.SecurityContext, fldPath.Child("securityContext"))...)
	if spec.ShareProcessNamespace != nil && *spec.ShareProcessNamespace && spec.HostPID {
		errs = append(errs, field.Invalid(fldPath.Child("shareProcessNamespace"), *spec.ShareProcessNamespace, "ShareProcessNamespace and HostPID cannot both be enabled"))
	}
	errs = append(errs, validateOptionalName(spec.ServiceAccountName, apivalidation.NameIsDNSSubdomain, fldPath.Child("serviceAccountName"))...)
	errs = append(errs, validateOptionalName(spec.NodeName, apivalidation.NameIsDNSSubdomain, fldPath.Child("nodeName"))...)
	errs = append(errs, validateOptionalName(spec.PriorityClassName, apivalidation.NameIsDNSSubdomain, fldPath.Child("priorityClassName"))...)
	if spec.RuntimeClassName != nil {
		errs = append(errs, validateOptionalName(*spec.RuntimeClassName, apivalidation.NameIsDNSSubdomain, fldPath.Child("runtimeClassName"))...)
	}
	if spec.Hostname != "" {
		errs = append(errs, ValidateDNS1123Label(spec.Hostname, fldPath.Child("hostname"))...)
	}
	if spec.Subdomain != "" {
		errs = append(errs, ValidateDNS1123Label(spec.Subdomain, fldPath.Child("subdomain"))...)
	}
	if spec.TerminationGracePeriodSeconds != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(*spec.TerminationGracePeriodSeconds, fldPath.Child("terminationGracePeriodSeconds"))...)
	}
	if spec.ActiveDeadlineSeconds != nil {
		if v := *spec.ActiveDeadlineSeconds; v < 1 || v > math.MaxInt32 {
			errs = append(errs, field.Invalid(fldPath.Child("activeDeadlineSeconds"), v, utilvalidation.InclusiveRangeError(1, math.MaxInt32)))
		}
	}
	errs = append(errs, validateAffinity(spec.Affinity, fldPath.Child("affinity"))...)
	errs = append(errs, ValidateTolerations(spec.Tolerations, fldPath.Child("tolerations"))...)
	errs = append(errs, validateTopologySpreadConstraints(spec.TopologySpreadConstraints, fldPath.Child("topologySpreadConstraints"))...)
	errs = append(errs, validateHostAliases(spec.HostAliases, fldPath.Child("hostAliases"))...)
	for i, g := range spec.ReadinessGates {
		for _, msg := range utilvalidation.IsQualifiedName(string(g.ConditionType)) {
			errs = append(errs, field.Invalid(fldPath.Child("readinessGates").Index(i).Child("conditionType"), string(g.ConditionType), msg))
		}
	}
	errs = append(errs, validateSchedulingGates(spec.SchedulingGates, fldPath.Child("schedulingGates"))...)
	if spec.PreemptionPolicy != nil {
		errs = append(errs, oneOf(*spec.PreemptionPolicy, preemptionPolicies, true, fldPath.Child("preemptionPolicy"))...)
	}
	if spec.OS != nil {
		errs = append(errs, oneOf(spec.OS.Name, osNames, true, fldPath.Child("os", "name"))...)
	}
	for _, name := range sortedNames(spec.Overhead) {
		errs = append(errs, ValidateResourceQuantityValue(name, spec.Overhead[name], fldPath.Child("overhead").Key(string(name)))...)
	}
	if spec.Resources != nil {
		errs = append(errs, validatePodResources(spec.Resources, fldPath.Child("resources"))...)
	}
	return errs
}

func validateOptionalName(name string, check apivalidation.ValidateNameFunc, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if name != "" {
		for _, msg := range check(name, false) {
			errs = append(errs, field.Invalid(fldPath, name, msg))
		}
	}
	return errs
}

// validatePodResources: pod-level requests and limits exist for the
// resources the whole pod shares (cpu, memory, hugepages).
func validatePodResources(r *v1.ResourceRequirements, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, l := range []struct {
		name string
		list v1.ResourceList
	}{{"limits", r.Limits}, {"requests", r.Requests}} {
		for _, name := range sortedNames(l.list) {
			if name != v1.ResourceCPU && name != v1.ResourceMemory && !IsHugePageResourceName(name) {
				errs = append(errs, field.NotSupported(fldPath.Child(l.name).Key(string(name)), name, podResources))
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return ValidateResourceRequirements(r, fldPath)
}

func validateDNSConfig(c *v1.PodDNSConfig, policy v1.DNSPolicy, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	// With DNSPolicy None the kubelet writes resolv.conf from dnsConfig
	// alone, so it must at least name a server.
	if policy == v1.DNSNone {
		if c == nil {
			return append(errs, field.Required(fldPath, fmt.Sprintf("must provide `dnsConfig` when `dnsPolicy` is %s", v1.DNSNone)))
		}
		if len(c.Nameservers) == 0 {
			return append(errs, field.Required(fldPath.Child("nameservers"), fmt.Sprintf("must provide at least one DNS nameserver when `dnsPolicy` is %s", v1.DNSNone)))
		}
	}
	if c == nil {
		return nil
	}
	if len(c.Nameservers) > maxDNSNameservers {
		errs = append(errs, field.Invalid(fldPath.Child("nameservers"), c.Nameservers, fmt.Sprintf("must not have more than %v nameservers", maxDNSNameservers)))
	}
	for i, ns := range c.Nameservers {
		errs = append(errs, utilvalidation.IsValidIPForLegacyField(fldPath.Child("nameservers").Index(i), ns, true, nil)...)
	}
	if len(c.Searches) > maxDNSSearchPaths {
		errs = append(errs, field.Invalid(fldPath.Child("searches"), c.Searches, fmt.Sprintf("must not have more than %v search paths", maxDNSSearchPaths)))
	}
	if len(strings.Join(c.Searches, " ")) > maxDNSSearchListChars {
		errs = append(errs, field.Invalid(fldPath.Child("searches"), c.Searches, fmt.Sprintf("must not have more than %v characters (including spaces) in the search list", maxDNSSearchListChars)))
	}
	for i, s := range c.Searches {
		// "." alone turns search off; underscores appear in SRV-style names.
		if s == "." {
			continue
		}
		for _, msg := range utilvalidation.IsDNS1123SubdomainWithUnderscore(strings.TrimSuffix(s, ".")) {
			errs = append(errs, field.Invalid(fldPath.Child("searches").Index(i), s, msg))
		}
	}
	for i, o := range c.Options {
		if o.Name == "" {
			errs = append(errs, field.Required(fldPath.Child("options").Index(i), "Option.Name must not be empty"))
		}
	}
	return errs
}

func validateHostAliases(aliases []v1.HostAlias, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, a := range aliases {
		p := fldPath.Index(i)
		errs = append(errs, utilvalidation.IsValidIPForLegacyField(p.Child("ip"), a.IP, true, nil)...)
		for _, h := range a.Hostnames {
			errs = append(errs, ValidateDNS1123Subdomain(h, p.Child("hostnames"))...)
		}
	}
	return errs
}

func validateSchedulingGates(gates []v1.PodSchedulingGate, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, g := range gates {
		p := fldPath.Index(i).Child("name")
		for _, msg := range utilvalidation.IsQualifiedName(g.Name) {
			errs = append(errs, field.Invalid(p, g.Name, msg))
		}
		if seen[g.Name] {
			errs = append(errs, field.Duplicate(p, g.Name))
		}
		seen[g.Name] = true
	}
	return errs
}
