package storagegroup

import (
	"context"
	"math"
	"strings"

	storagev1 "k8s.io/api/storage/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// Upstream's bounds: service account tokens handed to a driver live at
// least ten minutes, and the kubelet refreshes allocatable counts no more
// often than every ten seconds.
const (
	minTokenExpirationSeconds         = 10 * 60
	minNodeAllocatableUpdatePeriodSec = 10
)

var (
	lifecycleModes  = []storagev1.VolumeLifecycleMode{storagev1.VolumeLifecyclePersistent, storagev1.VolumeLifecycleEphemeral}
	fsGroupPolicies = []storagev1.FSGroupPolicy{storagev1.ReadWriteOnceWithFSTypeFSGroupPolicy, storagev1.FileFSGroupPolicy, storagev1.NoneFSGroupPolicy}
)

// csiDriverStrategy is storage.k8s.io/v1 CSIDriver: how the cluster talks
// to one CSI driver. Its name is the driver's name.
type csiDriverStrategy struct{ registry.Base }

// Default fills what upstream defaults: attach before mount, no pod info,
// no capacity tracking, fsGroup applied to RWO volumes with an fsType,
// persistent volumes only.
func (csiDriverStrategy) Default(obj runtime.Object) {
	s := &obj.(*storagev1.CSIDriver).Spec
	for _, b := range []struct {
		p   **bool
		def bool
	}{{&s.AttachRequired, true}, {&s.PodInfoOnMount, false}, {&s.StorageCapacity, false}, {&s.RequiresRepublish, false}, {&s.SELinuxMount, false}} {
		if *b.p == nil {
			v := b.def
			*b.p = &v
		}
	}
	if s.FSGroupPolicy == nil {
		p := storagev1.ReadWriteOnceWithFSTypeFSGroupPolicy
		s.FSGroupPolicy = &p
	}
	if len(s.VolumeLifecycleModes) == 0 {
		s.VolumeLifecycleModes = []storagev1.VolumeLifecycleMode{storagev1.VolumeLifecyclePersistent}
	}
}

func (csiDriverStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	d := obj.(*storagev1.CSIDriver)
	errs := registry.ValidateDriverName(d.Name, field.NewPath("metadata", "name"))
	errs = append(errs, apivalidation.ValidateObjectMeta(&d.ObjectMeta, false, noNameCheck, field.NewPath("metadata"))...)
	return append(errs, validateCSIDriverSpec(&d.Spec, field.NewPath("spec"))...)
}

// ValidateUpdate freezes whether volumes of the driver are attached and
// which lifecycle modes it supports, as upstream: volumes already in use
// were set up under the old answers. The rest (pod info, tokens, fsGroup
// policy, capacity tracking) may change.
func (csiDriverStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	d, o := obj.(*storagev1.CSIDriver), old.(*storagev1.CSIDriver)
	errs := apivalidation.ValidateObjectMetaUpdate(&d.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	p := field.NewPath("spec")
	errs = append(errs, validateCSIDriverSpec(&d.Spec, p)...)
	errs = append(errs, apivalidation.ValidateImmutableField(d.Spec.AttachRequired, o.Spec.AttachRequired, p.Child("attachRequired"))...)
	return append(errs, apivalidation.ValidateImmutableField(d.Spec.VolumeLifecycleModes, o.Spec.VolumeLifecycleModes, p.Child("volumeLifecycleModes"))...)
}

// noNameCheck leaves the name to validateDriverName, which is stricter.
func noNameCheck(string, bool) []string { return nil }

func validateCSIDriverSpec(s *storagev1.CSIDriverSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if s.AttachRequired == nil {
		errs = append(errs, field.Required(p.Child("attachRequired"), ""))
	}
	if s.PodInfoOnMount == nil {
		errs = append(errs, field.Required(p.Child("podInfoOnMount"), ""))
	}
	if s.StorageCapacity == nil {
		errs = append(errs, field.Required(p.Child("storageCapacity"), ""))
	}
	if s.RequiresRepublish == nil {
		errs = append(errs, field.Required(p.Child("requiresRepublish"), ""))
	}
	if s.FSGroupPolicy == nil {
		errs = append(errs, field.Required(p.Child("fsGroupPolicy"), ""))
	} else if !sets.New(fsGroupPolicies...).Has(*s.FSGroupPolicy) {
		errs = append(errs, field.NotSupported(p.Child("fsGroupPolicy"), *s.FSGroupPolicy, fsGroupPolicies))
	}
	for i, m := range s.VolumeLifecycleModes {
		if !sets.New(lifecycleModes...).Has(m) {
			errs = append(errs, field.NotSupported(p.Child("volumeLifecycleModes").Index(i), m, lifecycleModes))
		}
	}
	audiences := sets.New[string]()
	for i, tr := range s.TokenRequests {
		tp := p.Child("tokenRequests").Index(i)
		if audiences.Has(tr.Audience) {
			errs = append(errs, field.Duplicate(tp.Child("audience"), tr.Audience))
		}
		audiences.Insert(tr.Audience)
		if e := tr.ExpirationSeconds; e != nil {
			if *e < minTokenExpirationSeconds {
				errs = append(errs, field.Invalid(tp.Child("expirationSeconds"), *e, "may not specify a duration less than 10 minutes"))
			} else if *e > math.MaxUint32 {
				errs = append(errs, field.TooLong(tp.Child("expirationSeconds"), *e, math.MaxUint32))
			}
		}
	}
	if v := s.NodeAllocatableUpdatePeriodSeconds; v != nil && *v < minNodeAllocatableUpdatePeriodSec {
		errs = append(errs, field.Invalid(p.Child("nodeAllocatableUpdatePeriodSeconds"), *v, "must be greater than or equal to 10 seconds"))
	}
	return errs
}

// TableColumns are kubectl's: ATTACHREQUIRED PODINFOONMOUNT
// STORAGECAPACITY TOKENREQUESTS REQUIRESREPUBLISH MODES AGE.
func (csiDriverStrategy) TableColumns() []metav1.TableColumnDefinition {
	doc := storagev1.CSIDriverSpec{}.SwaggerDoc()
	return []metav1.TableColumnDefinition{
		{Name: "AttachRequired", Type: "boolean", Description: doc["attachRequired"]},
		{Name: "PodInfoOnMount", Type: "boolean", Description: doc["podInfoOnMount"]},
		{Name: "StorageCapacity", Type: "boolean", Description: doc["storageCapacity"]},
		{Name: "TokenRequests", Type: "string", Description: doc["tokenRequests"]},
		{Name: "RequiresRepublish", Type: "boolean", Description: doc["requiresRepublish"]},
		{Name: "Modes", Type: "string", Description: doc["volumeLifecycleModes"]},
		registry.AgeColumn,
	}
}

func (csiDriverStrategy) TableRow(obj runtime.Object) []interface{} {
	s := obj.(*storagev1.CSIDriver).Spec
	isTrue := func(b *bool) bool { return b != nil && *b }
	tokens := "<unset>"
	if len(s.TokenRequests) > 0 {
		var aud []string
		for _, tr := range s.TokenRequests {
			aud = append(aud, tr.Audience)
		}
		tokens = strings.Join(aud, ",")
	}
	var modes []string
	for _, m := range s.VolumeLifecycleModes {
		modes = append(modes, string(m))
	}
	return []interface{}{
		s.AttachRequired == nil || *s.AttachRequired, isTrue(s.PodInfoOnMount), isTrue(s.StorageCapacity),
		tokens, isTrue(s.RequiresRepublish), strings.Join(modes, ","), registry.Age(obj),
	}
}
