package apps

import (
	"context"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// controllerRevisionStrategy is apps/v1 ControllerRevision: an immutable
// snapshot of a StatefulSet's or DaemonSet's template that rollbacks read.
type controllerRevisionStrategy struct{ registry.Base }

func (controllerRevisionStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	r := obj.(*appsv1.ControllerRevision)
	errs := apivalidation.ValidateObjectMeta(&r.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	if r.Data.Raw == nil && r.Data.Object == nil {
		errs = append(errs, field.Required(field.NewPath("data"), "data is mandatory"))
	}
	return append(errs, apivalidation.ValidateNonnegativeField(r.Revision, field.NewPath("revision"))...)
}

// ValidateUpdate keeps data immutable: a revision is history, and a
// rollback to an edited revision would not restore what once ran. The
// revision number may change (controllers renumber on rollback).
func (s controllerRevisionStrategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	r, o := obj.(*appsv1.ControllerRevision), old.(*appsv1.ControllerRevision)
	errs := apivalidation.ValidateObjectMetaUpdate(&r.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	if r.Data.Raw == nil && r.Data.Object == nil {
		errs = append(errs, field.Required(field.NewPath("data"), "data is mandatory"))
	}
	errs = append(errs, apivalidation.ValidateNonnegativeField(r.Revision, field.NewPath("revision"))...)
	return append(errs, apivalidation.ValidateImmutableField(r.Data, o.Data, field.NewPath("data"))...)
}

// TableColumns are kubectl's: CONTROLLER REVISION AGE.
func (controllerRevisionStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		{Name: "Controller", Type: "string", Description: "Controller of the object"},
		{Name: "Revision", Type: "string", Description: appsv1.ControllerRevision{}.SwaggerDoc()["revision"]},
		registry.AgeColumn,
	}
}

// TableRow names the owning controller as kubectl does ("statefulset.apps/web").
func (controllerRevisionStrategy) TableRow(obj runtime.Object) []interface{} {
	r := obj.(*appsv1.ControllerRevision)
	controller := "<none>"
	if ref := metav1.GetControllerOf(r); ref != nil {
		controller = ref.Name
		if gv, err := schema.ParseGroupVersion(ref.APIVersion); err == nil {
			if gk := gv.WithKind(ref.Kind).GroupKind(); !gk.Empty() {
				controller = strings.ToLower(gk.String()) + "/" + ref.Name
			}
		}
	}
	return []interface{}{controller, r.Revision, registry.Age(obj)}
}
