package core

import (
	"context"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/podspec"
	v1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func persistentVolumes() *registry.Resource {
	return &registry.Resource{
		GroupVersion: v1.SchemeGroupVersion, Kind: "PersistentVolume",
		Plural: "persistentvolumes", Singular: "persistentvolume", ShortNames: []string{"pv"},
		New:          func() runtime.Object { return &v1.PersistentVolume{} },
		NewList:      func() runtime.Object { return &v1.PersistentVolumeList{} },
		Strategy:     pvStrategy{},
		Subresources: []string{"status"},
	}
}

var reclaimPolicies = []v1.PersistentVolumeReclaimPolicy{v1.PersistentVolumeReclaimDelete, v1.PersistentVolumeReclaimRecycle, v1.PersistentVolumeReclaimRetain}

type pvStrategy struct{ registry.Base }

func (pvStrategy) Default(obj runtime.Object) {
	pv := obj.(*v1.PersistentVolume)
	if pv.Spec.PersistentVolumeReclaimPolicy == "" {
		pv.Spec.PersistentVolumeReclaimPolicy = v1.PersistentVolumeReclaimRetain
	}
	if pv.Spec.VolumeMode == nil {
		pv.Spec.VolumeMode = ptr(v1.PersistentVolumeFilesystem)
	}
	if hp := pv.Spec.HostPath; hp != nil && hp.Type == nil {
		hp.Type = ptr(v1.HostPathUnset)
	}
	roundStorage(pv.Spec.Capacity)
}

// PrepareForCreate starts a volume Pending, stamping the transition time the
// binder and `kubectl describe` read.
func (s pvStrategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	s.Base.PrepareForCreate(ctx, obj)
	t := now()
	obj.(*v1.PersistentVolume).Status = v1.PersistentVolumeStatus{Phase: v1.VolumePending, LastPhaseTransitionTime: &t}
}

// PrepareForStatusUpdate stamps a new transition time when the phase moves.
func (s pvStrategy) PrepareForStatusUpdate(ctx context.Context, obj, old runtime.Object) {
	s.Base.PrepareForStatusUpdate(ctx, obj, old)
	pv, oldPv := obj.(*v1.PersistentVolume), old.(*v1.PersistentVolume)
	if pv.Status.Phase != oldPv.Status.Phase && (pv.Status.LastPhaseTransitionTime == nil ||
		apiequality.Semantic.DeepEqual(pv.Status.LastPhaseTransitionTime, oldPv.Status.LastPhaseTransitionTime)) {
		t := now()
		pv.Status.LastPhaseTransitionTime = &t
	}
}

func (pvStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	pv := obj.(*v1.PersistentVolume)
	return append(validateMeta(&pv.ObjectMeta, false, subdomainName), validatePVSpec(&pv.Spec)...)
}

func validatePVSpec(spec *v1.PersistentVolumeSpec) field.ErrorList {
	var errs field.ErrorList
	p := field.NewPath("spec")
	errs = append(errs, validateAccessModes(spec.AccessModes, p.Child("accessModes"), "")...)
	if len(spec.Capacity) == 0 {
		errs = append(errs, field.Required(p.Child("capacity"), ""))
	} else if _, ok := spec.Capacity[v1.ResourceStorage]; !ok || len(spec.Capacity) > 1 {
		errs = append(errs, field.NotSupported(p.Child("capacity"), spec.Capacity, storageOnly))
	} else {
		errs = append(errs, validateStorageQuantity(spec.Capacity, p.Child("capacity"))...)
	}
	errs = append(errs, oneOf(spec.PersistentVolumeReclaimPolicy, reclaimPolicies, false, p.Child("persistentVolumeReclaimPolicy"))...)
	if spec.VolumeMode != nil {
		errs = append(errs, oneOf(*spec.VolumeMode, volumeModes, true, p.Child("volumeMode"))...)
	}
	if spec.StorageClassName != "" {
		for _, msg := range apivalidation.NameIsDNSSubdomain(spec.StorageClassName, false) {
			errs = append(errs, field.Invalid(p.Child("storageClassName"), spec.StorageClassName, msg))
		}
	}
	if spec.NodeAffinity != nil && spec.NodeAffinity.Required != nil {
		errs = append(errs, podspec.ValidateNodeSelector(spec.NodeAffinity.Required, p.Child("nodeAffinity", "required"))...)
	}

	set := countSources(&spec.PersistentVolumeSource)
	switch {
	case len(set) == 0:
		errs = append(errs, field.Required(p, "must specify a volume type"))
	case len(set) > 1:
		for _, name := range set[1:] {
			errs = append(errs, field.Forbidden(p.Child(name), "may not specify more than 1 volume type"))
		}
	}
	if hp := spec.HostPath; hp != nil && hp.Path == "" {
		errs = append(errs, field.Required(p.Child("hostPath", "path"), ""))
	}
	if l := spec.Local; l != nil {
		if l.Path == "" {
			errs = append(errs, field.Required(p.Child("local", "path"), ""))
		}
		// A local volume exists on one node; without affinity the
		// scheduler would place its pods anywhere.
		if spec.NodeAffinity == nil || spec.NodeAffinity.Required == nil {
			errs = append(errs, field.Required(p.Child("nodeAffinity"), "Local volume requires node affinity"))
		}
	}
	if nfs := spec.NFS; nfs != nil {
		if nfs.Server == "" {
			errs = append(errs, field.Required(p.Child("nfs", "server"), ""))
		}
		if nfs.Path == "" {
			errs = append(errs, field.Required(p.Child("nfs", "path"), ""))
		}
	}
	if csi := spec.CSI; csi != nil {
		if csi.Driver == "" {
			errs = append(errs, field.Required(p.Child("csi", "driver"), ""))
		}
		if csi.VolumeHandle == "" {
			errs = append(errs, field.Required(p.Child("csi", "volumeHandle"), ""))
		}
	}
	return errs
}

// ValidateUpdate: the volume's source and mode describe real storage and
// cannot change; node affinity may only be added.
func (pvStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	pv, oldPv := obj.(*v1.PersistentVolume), old.(*v1.PersistentVolume)
	errs := validateMetaUpdate(&pv.ObjectMeta, &oldPv.ObjectMeta, false, subdomainName)
	errs = append(errs, validatePVSpec(&pv.Spec)...)
	if !apiequality.Semantic.DeepEqual(pv.Spec.PersistentVolumeSource, oldPv.Spec.PersistentVolumeSource) {
		errs = append(errs, field.Forbidden(field.NewPath("spec", "persistentvolumesource"), "spec.persistentvolumesource is immutable after creation"))
	}
	errs = append(errs, immutable(pv.Spec.VolumeMode, oldPv.Spec.VolumeMode, field.NewPath("volumeMode"))...)
	if oldPv.Spec.NodeAffinity != nil {
		errs = append(errs, immutable(pv.Spec.NodeAffinity, oldPv.Spec.NodeAffinity, field.NewPath("nodeAffinity"))...)
	}
	return errs
}

func (pvStrategy) ValidateStatusUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	pv, oldPv := obj.(*v1.PersistentVolume), old.(*v1.PersistentVolume)
	return validateMetaUpdate(&pv.ObjectMeta, &oldPv.ObjectMeta, false, subdomainName)
}

// SelectableFields keeps upstream's legacy "name" field.
func (pvStrategy) SelectableFields(obj runtime.Object) fields.Set {
	f := registry.MetaFields(obj)
	f["name"] = obj.(*v1.PersistentVolume).Name
	return f
}

func (pvStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		registry.Column("Capacity", "string", "capacity is the description of the persistent volume's resources and capacity.", false),
		registry.Column("Access Modes", "string", "accessModes contains all ways the volume can be mounted.", false),
		registry.Column("Reclaim Policy", "string", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.", false),
		registry.Column("Status", "string", "phase indicates if a volume is available, bound to a claim, or released by a claim.", false),
		registry.Column("Claim", "string", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.", false),
		registry.Column("StorageClass", "string", "StorageClass of the pv", false),
		registry.Column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv", false),
		registry.Column("Reason", "string", "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.", false),
		registry.AgeColumn,
		registry.Column("VolumeMode", "string", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.", true),
	}
}

func (pvStrategy) TableRow(obj runtime.Object) []interface{} {
	pv := obj.(*v1.PersistentVolume)
	claim := ""
	if pv.Spec.ClaimRef != nil {
		claim = pv.Spec.ClaimRef.Namespace + "/" + pv.Spec.ClaimRef.Name
	}
	size := pv.Spec.Capacity[v1.ResourceStorage]
	phase := string(pv.Status.Phase)
	if pv.DeletionTimestamp != nil {
		phase = "Terminating"
	}
	class := pv.Spec.StorageClassName
	if c, ok := pv.Annotations[betaClassAnno]; ok {
		class = c
	}
	vac, mode := "<unset>", "<unset>"
	if pv.Spec.VolumeAttributesClassName != nil {
		vac = *pv.Spec.VolumeAttributesClassName
	}
	if pv.Spec.VolumeMode != nil {
		mode = string(*pv.Spec.VolumeMode)
	}
	return []interface{}{
		size.String(), accessModesString(pv.Spec.AccessModes), string(pv.Spec.PersistentVolumeReclaimPolicy),
		phase, claim, class, vac, pv.Status.Reason, registry.Age(obj), mode,
	}
}
