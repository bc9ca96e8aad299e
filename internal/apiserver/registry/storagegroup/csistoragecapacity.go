package storagegroup

import (
	"context"

	storagev1 "k8s.io/api/storage/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// csiStorageCapacityStrategy is storage.k8s.io/v1 CSIStorageCapacity: how
// much a storage class can still provision in one topology segment, which
// the scheduler checks for WaitForFirstConsumer volumes.
type csiStorageCapacityStrategy struct{ registry.Base }

func (csiStorageCapacityStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	c := obj.(*storagev1.CSIStorageCapacity)
	errs := apivalidation.ValidateObjectMeta(&c.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateCapacity(c)...)
}

// ValidateUpdate freezes what the object is about (the segment and the
// class); only the numbers change.
func (csiStorageCapacityStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	c, o := obj.(*storagev1.CSIStorageCapacity), old.(*storagev1.CSIStorageCapacity)
	errs := apivalidation.ValidateObjectMetaUpdate(&c.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateCapacity(c)...)
	errs = append(errs, apivalidation.ValidateImmutableField(c.NodeTopology, o.NodeTopology, field.NewPath("nodeTopology"))...)
	return append(errs, apivalidation.ValidateImmutableField(c.StorageClassName, o.StorageClassName, field.NewPath("storageClassName"))...)
}

func validateCapacity(c *storagev1.CSIStorageCapacity) field.ErrorList {
	errs := metav1validation.ValidateLabelSelector(c.NodeTopology, metav1validation.LabelSelectorValidationOptions{}, field.NewPath("nodeTopology"))
	cp := field.NewPath("storageClassName")
	if c.StorageClassName == "" {
		errs = append(errs, field.Required(cp, ""))
	} else {
		for _, msg := range apivalidation.NameIsDNSSubdomain(c.StorageClassName, false) {
			errs = append(errs, field.Invalid(cp, c.StorageClassName, msg))
		}
	}
	if c.Capacity != nil && c.Capacity.Sign() < 0 {
		errs = append(errs, field.Invalid(field.NewPath("capacity"), c.Capacity.String(), "must be greater than or equal to 0"))
	}
	if c.MaximumVolumeSize != nil && c.MaximumVolumeSize.Sign() < 0 {
		errs = append(errs, field.Invalid(field.NewPath("maximumVolumeSize"), c.MaximumVolumeSize.String(), "must be greater than or equal to 0"))
	}
	return errs
}

// TableColumns are kubectl's: STORAGECLASSNAME CAPACITY AGE.
func (csiStorageCapacityStrategy) TableColumns() []metav1.TableColumnDefinition {
	doc := storagev1.CSIStorageCapacity{}.SwaggerDoc()
	return []metav1.TableColumnDefinition{
		{Name: "StorageClassName", Type: "string", Description: doc["storageClassName"]},
		{Name: "Capacity", Type: "string", Description: doc["capacity"]},
		registry.AgeColumn,
	}
}

func (csiStorageCapacityStrategy) TableRow(obj runtime.Object) []interface{} {
	c := obj.(*storagev1.CSIStorageCapacity)
	capacity := "<unset>"
	if c.Capacity != nil {
		capacity = c.Capacity.String()
	}
	return []interface{}{c.StorageClassName, capacity, registry.Age(obj)}
}
