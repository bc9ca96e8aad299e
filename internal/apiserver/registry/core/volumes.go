package core

import (
	"strings"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/podspec"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Shared by persistent volumes and claims.

var (
	accessModes   = []v1.PersistentVolumeAccessMode{v1.ReadOnlyMany, v1.ReadWriteMany, v1.ReadWriteOnce, v1.ReadWriteOncePod}
	volumeModes   = []v1.PersistentVolumeMode{v1.PersistentVolumeBlock, v1.PersistentVolumeFilesystem}
	storageOnly   = []v1.ResourceName{v1.ResourceStorage}
	betaClassAnno = v1.BetaStorageClassAnnotation
)

func validateAccessModes(modes []v1.PersistentVolumeAccessMode, fldPath *field.Path, requiredMsg string) field.ErrorList {
	if len(modes) == 0 {
		return field.ErrorList{field.Required(fldPath, requiredMsg)}
	}
	var errs field.ErrorList
	for _, m := range modes {
		errs = append(errs, oneOf(m, accessModes, true, fldPath)...)
		// ReadWriteOncePod already says everything about who may mount.
		if m == v1.ReadWriteOncePod && len(modes) > 1 {
			errs = append(errs, field.Forbidden(fldPath, "may not use ReadWriteOncePod with other access modes"))
		}
	}
	return errs
}

// validateStorageQuantity: storage sizes must be positive.
func validateStorageQuantity(l v1.ResourceList, fldPath *field.Path) field.ErrorList {
	q, ok := l[v1.ResourceStorage]
	if !ok {
		return nil
	}
	p := fldPath.Key(string(v1.ResourceStorage))
	if q.Sign() <= 0 {
		return field.ErrorList{field.Invalid(p, q.String(), "must be greater than zero")}
	}
	return nil
}

// accessModesString renders access modes the way kubectl does: RWO,ROX,...
func accessModesString(modes []v1.PersistentVolumeAccessMode) string {
	has := map[v1.PersistentVolumeAccessMode]bool{}
	for _, m := range modes {
		has[m] = true
	}
	var out []string
	for _, m := range []struct {
		mode  v1.PersistentVolumeAccessMode
		short string
	}{{v1.ReadWriteOnce, "RWO"}, {v1.ReadOnlyMany, "ROX"}, {v1.ReadWriteMany, "RWX"}, {v1.ReadWriteOncePod, "RWOP"}} {
		if has[m.mode] {
			out = append(out, m.short)
		}
	}
	return strings.Join(out, ",")
}

// roundStorage rounds capacity and requests like every resource list.
func roundStorage(lists ...v1.ResourceList) {
	for _, l := range lists {
		podspec.RoundResourceList(l)
	}
}
