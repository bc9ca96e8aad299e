package podspec

import (
	v1 "k8s.io/api/core/v1"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var (
	fsGroupChangePolicies      = []v1.PodFSGroupChangePolicy{v1.FSGroupChangeAlways, v1.FSGroupChangeOnRootMismatch}
	supplementalGroupsPolicies = []v1.SupplementalGroupsPolicy{v1.SupplementalGroupsPolicyMerge, v1.SupplementalGroupsPolicyStrict}
	seccompTypes               = []v1.SeccompProfileType{v1.SeccompProfileTypeLocalhost, v1.SeccompProfileTypeRuntimeDefault, v1.SeccompProfileTypeUnconfined}
	appArmorTypes              = []v1.AppArmorProfileType{v1.AppArmorProfileTypeLocalhost, v1.AppArmorProfileTypeRuntimeDefault, v1.AppArmorProfileTypeUnconfined}
	procMountTypes             = []v1.ProcMountType{v1.DefaultProcMount, v1.UnmaskedProcMount}
)

func validateUserID(id *int64, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if id != nil {
		for _, msg := range utilvalidation.IsValidUserID(*id) {
			errs = append(errs, field.Invalid(fldPath, *id, msg))
		}
	}
	return errs
}

func validateGroupID(id *int64, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if id != nil {
		for _, msg := range utilvalidation.IsValidGroupID(*id) {
			errs = append(errs, field.Invalid(fldPath, *id, msg))
		}
	}
	return errs
}

func validatePodSecurityContext(sc *v1.PodSecurityContext, fldPath *field.Path) field.ErrorList {
	if sc == nil {
		return nil
	}
	var errs field.ErrorList
	errs = append(errs, validateGroupID(sc.FSGroup, fldPath.Child("fsGroup"))...)
	errs = append(errs, validateUserID(sc.RunAsUser, fldPath.Child("runAsUser"))...)
	errs = append(errs, validateGroupID(sc.RunAsGroup, fldPath.Child("runAsGroup"))...)
	for i := range sc.SupplementalGroups {
		errs = append(errs, validateGroupID(&sc.SupplementalGroups[i], fldPath.Child("supplementalGroups").Index(i))...)
	}
	if sc.FSGroupChangePolicy != nil {
		errs = append(errs, oneOf(*sc.FSGroupChangePolicy, fsGroupChangePolicies, true, fldPath.Child("fsGroupChangePolicy"))...)
	}
	if sc.SupplementalGroupsPolicy != nil {
		errs = append(errs, oneOf(*sc.SupplementalGroupsPolicy, supplementalGroupsPolicies, true, fldPath.Child("supplementalGroupsPolicy"))...)
	}
	seen := map[string]bool{}
	for i, s := range sc.Sysctls {
		p := fldPath.Child("sysctls").Index(i)
		if s.Name == "" {
			errs = append(errs, field.Required(p.Child("name"), ""))
		} else if seen[s.Name] {
			errs = append(errs, field.Duplicate(p.Child("name"), s.Name))
		}
		seen[s.Name] = true
	}
	errs = append(errs, validateSeccompProfile(sc.SeccompProfile, fldPath.Child("seccompProfile"))...)
	errs = append(errs, validateAppArmorProfile(sc.AppArmorProfile, fldPath.Child("appArmorProfile"))...)
	return errs
}

func validateContainerSecurityContext(sc *v1.SecurityContext, fldPath *field.Path) field.ErrorList {
	if sc == nil {
		return nil
	}
	var errs field.ErrorList
	errs = append(errs, validateUserID(sc.RunAsUser, fldPath.Child("runAsUser"))...)
	errs = append(errs, validateGroupID(sc.RunAsGroup, fldPath.Child("runAsGroup"))...)
	if sc.ProcMount != nil {
		errs = append(errs, oneOf(*sc.ProcMount, procMountTypes, true, fldPath.Child("procMount"))...)
	}
	noEscalation := sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation
	// A privileged process or one with CAP_SYS_ADMIN can always escalate,
	// so asking for both is contradictory.
	if noEscalation && sc.Privileged != nil && *sc.Privileged {
		errs = append(errs, field.Invalid(fldPath, sc, "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"))
	}
	if noEscalation && sc.Capabilities != nil {
		for _, c := range sc.Capabilities.Add {
			if c == "SYS_ADMIN" || c == "CAP_SYS_ADMIN" {
				errs = append(errs, field.Invalid(fldPath, sc, "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"))
				break
			}
		}
	}
	errs = append(errs, validateSeccompProfile(sc.SeccompProfile, fldPath.Child("seccompProfile"))...)
	errs = append(errs, validateAppArmorProfile(sc.AppArmorProfile, fldPath.Child("appArmorProfile"))...)
	return errs
}

func validateSeccompProfile(sp *v1.SeccompProfile, fldPath *field.Path) field.ErrorList {
	if sp == nil {
		return nil
	}
	errs := oneOf(sp.Type, seccompTypes, true, fldPath.Child("type"))
	if sp.Type == v1.SeccompProfileTypeLocalhost {
		if sp.LocalhostProfile == nil || *sp.LocalhostProfile == "" {
			errs = append(errs, field.Required(fldPath.Child("localhostProfile"), "must be set when seccomp type is Localhost"))
		}
	} else if sp.LocalhostProfile != nil {
		errs = append(errs, field.Invalid(fldPath.Child("localhostProfile"), *sp.LocalhostProfile, "can only be set when seccomp type is Localhost"))
	}
	return errs
}

func validateAppArmorProfile(ap *v1.AppArmorProfile, fldPath *field.Path) field.ErrorList {
	if ap == nil {
		return nil
	}
	errs := oneOf(ap.Type, appArmorTypes, true, fldPath.Child("type"))
	if ap.Type == v1.AppArmorProfileTypeLocalhost {
		if ap.LocalhostProfile == nil || *ap.LocalhostProfile == "" {
			errs = append(errs, field.Required(fldPath.Child("localhostProfile"), "must be set when AppArmor type is Localhost"))
		}
	} else if ap.LocalhostProfile != nil {
		errs = append(errs, field.Invalid(fldPath.Child("localhostProfile"), *ap.LocalhostProfile, "can only be set when AppArmor type is Localhost"))
	}
	return errs
}
