package podspec

import (
	"reflect"
	"strings"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// hostPathTypes in upstream's (sorted) order, as quoted in errors.
var hostPathTypes = []v1.HostPathType{
	v1.HostPathUnset, v1.HostPathBlockDev, v1.HostPathCharDev, v1.HostPathDirectory,
	v1.HostPathDirectoryOrCreate, v1.HostPathFile, v1.HostPathFileOrCreate, v1.HostPathSocket,
}

// validateVolumes checks the pod's volumes and returns them by name, for
// the containers' volumeMounts to be checked against.
func validateVolumes(volumes []v1.Volume, fldPath *field.Path) (map[string]v1.VolumeSource, field.ErrorList) {
	var errs field.ErrorList
	byName := map[string]v1.VolumeSource{}
	for i := range volumes {
		vol := &volumes[i]
		p := fldPath.Index(i)
		namePath := p.Child("name")
		verrs := validateVolumeSource(&vol.VolumeSource, p)
		verrs = append(verrs, requiredName(vol.Name, namePath, ValidateDNS1123Label)...)
		if _, dup := byName[vol.Name]; dup {
			verrs = append(verrs, field.Duplicate(namePath, vol.Name))
		}
		if len(verrs) == 0 {
			byName[vol.Name] = vol.VolumeSource
		} else {
			errs = append(errs, verrs...)
			// Still known by name, so that mounts do not also complain
			// about a volume that exists but is wrong.
			if vol.Name != "" {
				byName[vol.Name] = vol.VolumeSource
			}
		}
	}
	return byName, errs
}

// validateVolumeSource requires exactly one source and checks the common
// ones. Sources are counted by reflection over the struct so that a source
// type added to k8s.io/api is counted without touching this code.
func validateVolumeSource(src *v1.VolumeSource, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	n := 0
	v := reflect.ValueOf(src).Elem()
	t := v.Type()
	for i := 0; i < v.NumField(); i++ {
		if f := v.Field(i); f.Kind() != reflect.Pointer || f.IsNil() {
			continue
		}
		n++
		if n > 1 {
			errs = append(errs, field.Forbidden(fldPath.Child(jsonName(t.Field(i))), "may not specify more than 1 volume type"))
		}
	}
	if n == 0 {
		return field.ErrorList{field.Required(fldPath, "must specify a volume type")}
	}
	if n > 1 {
		return errs
	}
	switch {
	case src.HostPath != nil:
		p := fldPath.Child("hostPath")
		if src.HostPath.Path == "" {
			errs = append(errs, field.Required(p.Child("path"), ""))
		} else {
			errs = append(errs, validatePathNoBacksteps(src.HostPath.Path, p.Child("path"))...)
		}
		if src.HostPath.Type != nil {
			errs = append(errs, oneOf(*src.HostPath.Type, hostPathTypes, false, p.Child("type"))...)
		}
	case src.EmptyDir != nil:
		if src.EmptyDir.SizeLimit != nil {
			errs = append(errs, ValidateNonnegativeQuantity(*src.EmptyDir.SizeLimit, fldPath.Child("emptyDir", "sizeLimit"))...)
		}
	case src.Secret != nil:
		p := fldPath.Child("secret")
		if src.Secret.SecretName == "" {
			errs = append(errs, field.Required(p.Child("secretName"), ""))
		}
		errs = append(errs, validateFileMode(src.Secret.DefaultMode, p.Child("defaultMode"))...)
		errs = append(errs, validateKeyToPaths(src.Secret.Items, p.Child("items"))...)
	case src.ConfigMap != nil:
		p := fldPath.Child("configMap")
		if src.ConfigMap.Name == "" {
			errs = append(errs, field.Required(p.Child("name"), ""))
		}
		errs = append(errs, validateFileMode(src.ConfigMap.DefaultMode, p.Child("defaultMode"))...)
		errs = append(errs, validateKeyToPaths(src.ConfigMap.Items, p.Child("items"))...)
	case src.PersistentVolumeClaim != nil:
		if src.PersistentVolumeClaim.ClaimName == "" {
			errs = append(errs, field.Required(fldPath.Child("persistentVolumeClaim", "claimName"), ""))
		}
	case src.DownwardAPI != nil:
		p := fldPath.Child("downwardAPI")
		errs = append(errs, validateFileMode(src.DownwardAPI.DefaultMode, p.Child("defaultMode"))...)
		errs = append(errs, validateDownwardAPIFiles(src.DownwardAPI.Items, p.Child("items"))...)
	case src.Projected != nil:
		errs = append(errs, validateProjected(src.Projected, fldPath.Child("projected"))...)
	case src.NFS != nil:
		p := fldPath.Child("nfs")
		if src.NFS.Server == "" {
			errs = append(errs, field.Required(p.Child("server"), ""))
		}
		if src.NFS.Path == "" {
			errs = append(errs, field.Required(p.Child("path"), ""))
		} else if !strings.HasPrefix(src.NFS.Path, "/") {
			errs = append(errs, field.Invalid(p.Child("path"), src.NFS.Path, "must be an absolute path"))
		}
	case src.CSI != nil:
		if src.CSI.Driver == "" {
			errs = append(errs, field.Required(fldPath.Child("csi", "driver"), ""))
		}
	case src.Ephemeral != nil:
		if src.Ephemeral.VolumeClaimTemplate == nil {
			errs = append(errs, field.Required(fldPath.Child("ephemeral", "volumeClaimTemplate"), ""))
		}
	case src.Image != nil:
		if src.Image.Reference == "" {
			errs = append(errs, field.Required(fldPath.Child("image", "reference"), ""))
		}
	}
	return errs
}

func validateKeyToPaths(items []v1.KeyToPath, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, kp := range items {
		p := fldPath.Index(i)
		if kp.Key == "" {
			errs = append(errs, field.Required(p.Child("key"), ""))
		}
		if kp.Path == "" {
			errs = append(errs, field.Required(p.Child("path"), ""))
		} else {
			errs = append(errs, validateLocalDescendingPath(kp.Path, p.Child("path"))...)
		}
		errs = append(errs, validateFileMode(kp.Mode, p.Child("mode"))...)
	}
	return errs
}

func validateDownwardAPIFiles(items []v1.DownwardAPIVolumeFile, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, f := range items {
		p := fldPath.Index(i)
		if f.Path == "" {
			errs = append(errs, field.Required(p.Child("path"), ""))
		} else {
			errs = append(errs, validateLocalDescendingPath(f.Path, p.Child("path"))...)
		}
		errs = append(errs, validateFileMode(f.Mode, p.Child("mode"))...)
		switch {
		case f.FieldRef != nil && f.ResourceFieldRef != nil:
			errs = append(errs, field.Invalid(p, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"))
		case f.FieldRef != nil:
			errs = append(errs, validateFieldRef(f.FieldRef, volumeFieldPaths, p.Child("fieldRef"))...)
		case f.ResourceFieldRef != nil:
			errs = append(errs, validateResourceFieldRef(f.ResourceFieldRef, true, p.Child("resourceFieldRef"))...)
		default:
			errs = append(errs, field.Required(p, "one of fieldRef and resourceFieldRef is required"))
		}
	}
	return errs
}

func validateProjected(src *v1.ProjectedVolumeSource, fldPath *field.Path) field.ErrorList {
	errs := validateFileMode(src.DefaultMode, fldPath.Child("defaultMode"))
	for i := range src.Sources {
		s := &src.Sources[i]
		p := fldPath.Child("sources").Index(i)
		n := 0
		if s.Secret != nil {
			n++
			errs = append(errs, validateKeyToPaths(s.Secret.Items, p.Child("secret", "items"))...)
		}
		if s.ConfigMap != nil {
			n++
			errs = append(errs, validateKeyToPaths(s.ConfigMap.Items, p.Child("configMap", "items"))...)
		}
		if s.DownwardAPI != nil {
			n++
			errs = append(errs, validateDownwardAPIFiles(s.DownwardAPI.Items, p.Child("downwardAPI", "items"))...)
		}
		if s.ServiceAccountToken != nil {
			n++
			tp := p.Child("serviceAccountToken")
			if s.ServiceAccountToken.ExpirationSeconds != nil {
				e := *s.ServiceAccountToken.ExpirationSeconds
				if e < 600 {
					errs = append(errs, field.Invalid(tp.Child("expirationSeconds"), e, "may not specify a duration less than 10 minutes"))
				} else if e > 1<<32 {
					errs = append(errs, field.Invalid(tp.Child("expirationSeconds"), e, "may not specify a duration larger than 2^32 seconds"))
				}
			}
			if s.ServiceAccountToken.Path == "" {
				errs = append(errs, field.Required(tp.Child("path"), ""))
			} else {
				errs = append(errs, validateLocalDescendingPath(s.ServiceAccountToken.Path, tp.Child("path"))...)
			}
		}
		if s.ClusterTrustBundle != nil {
			n++
		}
		if s.PodCertificate != nil {
			n++
		}
		if n > 1 {
			errs = append(errs, field.Forbidden(p, "may not specify more than 1 volume type per source"))
		}
	}
	return errs
}

// jsonName is a struct field's wire name, for error paths.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" {
		return f.Name
	}
	return name
}
