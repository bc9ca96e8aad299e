package core

import (
	"context"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	v1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func persistentVolumeClaims() *registry.Resource {
	return &registry.Resource{
		GroupVersion: v1.SchemeGroupVersion, Kind: "PersistentVolumeClaim",
		Plural: "persistentvolumeclaims", Singular: "persistentvolumeclaim", ShortNames: []string{"pvc"},
		Namespaced: true,
		New:        func() runtime.Object { return &v1.PersistentVolumeClaim{} },
		NewList:    func() runtime.Object { return &v1.PersistentVolumeClaimList{} },
		Strategy:   pvcStrategy{}, Subresources: []string{"status"},
	}
}

type pvcStrategy struct{ registry.Base }

func (pvcStrategy) Default(obj runtime.Object) {
	pvc := obj.(*v1.PersistentVolumeClaim)
	if pvc.Spec.VolumeMode == nil {
		pvc.Spec.VolumeMode = ptr(v1.PersistentVolumeFilesystem)
	}
	roundStorage(pvc.Spec.Resources.Requests, pvc.Spec.Resources.Limits, pvc.Status.Capacity)
}

// PrepareForCreate starts a claim Pending until the binder binds it.
func (s pvcStrategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	s.Base.PrepareForCreate(ctx, obj)
	obj.(*v1.PersistentVolumeClaim).Status = v1.PersistentVolumeClaimStatus{Phase: v1.ClaimPending}
}

func (pvcStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	pvc := obj.(*v1.PersistentVolumeClaim)
	return append(validateMeta(&pvc.ObjectMeta, true, subdomainName), validatePVCSpec(&pvc.Spec)...)
}

func validatePVCSpec(spec *v1.PersistentVolumeClaimSpec) field.ErrorList {
	var errs field.ErrorList
	p := field.NewPath("spec")
	errs = append(errs, validateAccessModes(spec.AccessModes, p.Child("accessModes"), "at least 1 access mode is required")...)
	if spec.Selector != nil {
		errs = append(errs, metav1validation.ValidateLabelSelector(spec.Selector, metav1validation.LabelSelectorValidationOptions{}, p.Child("selector"))...)
	}
	if _, ok := spec.Resources.Requests[v1.ResourceStorage]; !ok {
		errs = append(errs, field.Required(p.Child("resources").Key(string(v1.ResourceStorage)), ""))
	} else {
		errs = append(errs, validateStorageQuantity(spec.Resources.Requests, p.Child("resources", "requests"))...)
	}
	if spec.StorageClassName != nil && *spec.StorageClassName != "" {
		for _, msg := range apivalidation.NameIsDNSSubdomain(*spec.StorageClassName, false) {
			errs = append(errs, field.Invalid(p.Child("storageClassName"), *spec.StorageClassName, msg))
		}
	}
	if spec.VolumeMode != nil {
		errs = append(errs, oneOf(*spec.VolumeMode, volumeModes, true, p.Child("volumeMode"))...)
	}
	return errs
}

// ValidateUpdate: a claim is fixed once created (quota and limit ranges
// were checked against it), except that the binder sets volumeName once
// and a bound claim may grow; shrinking is only allowed back down towards
// the capacity actually provisioned, to recover from a failed expansion.
func (pvcStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	pvc, oldPvc := obj.(*v1.PersistentVolumeClaim), old.(*v1.PersistentVolumeClaim)
	errs := validateMetaUpdate(&pvc.ObjectMeta, &oldPvc.ObjectMeta, true, subdomainName)
	errs = append(errs, validatePVCSpec(&pvc.Spec)...)

	newSpec, oldSpec := pvc.Spec.DeepCopy(), oldPvc.Spec.DeepCopy()
	if oldSpec.VolumeName == "" {
		oldSpec.VolumeName = newSpec.VolumeName
	}
	oldSpec.VolumeAttributesClassName = newSpec.VolumeAttributesClassName
	bound := oldPvc.Status.Phase == v1.ClaimBound
	if bound && newSpec.Resources.Requests != nil {
		if q, ok := oldPvc.Spec.Resources.Requests[v1.ResourceStorage]; ok {
			newSpec.Resources.Requests[v1.ResourceStorage] = q
		}
	}
	if !apiequality.Semantic.DeepEqual(newSpec, oldSpec) {
		errs = append(errs, field.Forbidden(field.NewPath("spec"), "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"))
	}
	if bound {
		newSize := pvc.Spec.Resources.Requests[v1.ResourceStorage]
		oldSize := oldPvc.Spec.Resources.Requests[v1.ResourceStorage]
		statusSize := oldPvc.Status.Capacity[v1.ResourceStorage]
		if newSize.Cmp(oldSize) < 0 && newSize.Cmp(statusSize) <= 0 {
			errs = append(errs, field.Forbidden(field.NewPath("spec", "resources", "requests", "storage"), "field can not be less than status.capacity"))
		}
	}
	errs = append(errs, immutable(pvc.Spec.VolumeMode, oldPvc.Spec.VolumeMode, field.NewPath("volumeMode"))...)
	return errs
}

func (pvcStrategy) ValidateStatusUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	pvc, oldPvc := obj.(*v1.PersistentVolumeClaim), old.(*v1.PersistentVolumeClaim)
	errs := validateMetaUpdate(&pvc.ObjectMeta, &oldPvc.ObjectMeta, true, subdomainName)
	if len(pvc.Status.Capacity) > 0 {
		errs = append(errs, validateStorageQuantity(pvc.Status.Capacity, field.NewPath("status", "capacity"))...)
	}
	return errs
}

func (pvcStrategy) SelectableFields(obj runtime.Object) fields.Set {
	f := registry.MetaFields(obj)
	f["name"] = obj.(*v1.PersistentVolumeClaim).Name
	return f
}

func (pvcStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		registry.Column("Status", "string", "phase represents the current phase of PersistentVolumeClaim.", false),
		registry.Column("Volume", "string", "volumeName is the binding reference to the PersistentVolume backing this claim.", false),
		registry.Column("Capacity", "string", "capacity represents the actual resources of the underlying volume.", false),
		registry.Column("Access Modes", "string", "accessModes contains the actual access modes the volume backing the PVC has.", false),
		registry.Column("StorageClass", "string", "StorageClass of the pvc", false),
		registry.Column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc", false),
		registry.AgeColumn,
		registry.Column("VolumeMode", "string", "volumeMode defines what type of volume is required by the claim.", true),
	}
}

func (pvcStrategy) TableRow(obj runtime.Object) []interface{} {
	pvc := obj.(*v1.PersistentVolumeClaim)
	phase := string(pvc.Status.Phase)
	if pvc.DeletionTimestamp != nil {
		phase = "Terminating"
	}
	capacity, modes := "", ""
	if pvc.Spec.VolumeName != "" {
		modes = accessModesString(pvc.Status.AccessModes)
		q := pvc.Status.Capacity[v1.ResourceStorage]
		capacity = q.String()
	}
	class := ""
	if c, ok := pvc.Annotations[betaClassAnno]; ok {
		class = c
	} else if pvc.Spec.StorageClassName != nil {
		class = *pvc.Spec.StorageClassName
	}
	vac, mode := "<unset>", "<unset>"
	if pvc.Spec.VolumeAttributesClassName != nil {
		vac = *pvc.Spec.VolumeAttributesClassName
	}
	if pvc.Spec.VolumeMode != nil {
		mode = string(*pvc.Spec.VolumeMode)
	}
	return []interface{}{phase, pvc.Spec.VolumeName, capacity, modes, class, vac, registry.Age(obj), mode}
}
