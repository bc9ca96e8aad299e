package registry

import (
	"context"
	"reflect"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Base is the behaviour most kinds share; a kind's strategy embeds it and
// overrides what differs. It treats the conventional Spec and Status struct
// fields by reflection, so the status/spec split and generation bump are
// written once for every kind.
type Base struct{}

var _ Strategy = Base{}
var _ StatusStrategy = Base{}

// Default does nothing.
func (Base) Default(runtime.Object) {}

// PrepareForCreate zeroes Status (clients set status through /status only)
// and sets generation 1 for kinds with a Spec (upstream tracks generation
// only where there is a spec to observe).
func (Base) PrepareForCreate(_ context.Context, obj runtime.Object) {
	if st := structField(obj, "Status"); st.IsValid() && st.CanSet() {
		st.Set(reflect.Zero(st.Type()))
	}
	if m, err := meta.Accessor(obj); err == nil {
		m.SetGeneration(0)
		if structField(obj, "Spec").IsValid() {
			m.SetGeneration(1)
		}
	}
}

// PrepareForUpdate keeps old's Status and, for kinds with a Spec, bumps
// generation when the spec changed.
func (Base) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	newSt, oldSt := structField(obj, "Status"), structField(old, "Status")
	if newSt.IsValid() && newSt.CanSet() && oldSt.IsValid() {
		newSt.Set(oldSt)
	}
	m, err1 := meta.Accessor(obj)
	om, err2 := meta.Accessor(old)
	if err1 != nil || err2 != nil {
		return
	}
	m.SetGeneration(om.GetGeneration())
	if structField(obj, "Spec").IsValid() && SpecChanged(obj, old) {
		m.SetGeneration(om.GetGeneration() + 1)
	}
}

// PrepareForStatusUpdate keeps everything but Status from old, metadata
// included (resourceVersion too: the handler puts the client's back for
// optimistic locking).
func (Base) PrepareForStatusUpdate(_ context.Context, obj, old runtime.Object) {
	newSt := structField(obj, "Status")
	if !newSt.IsValid() {
		return
	}
	status := reflect.New(newSt.Type()).Elem()
	status.Set(newSt)
	nv := reflect.ValueOf(obj).Elem()
	nv.Set(reflect.ValueOf(old.DeepCopyObject()).Elem())
	structField(obj, "Status").Set(status)
}

// Validate accepts everything; kinds override it.
func (Base) Validate(context.Context, runtime.Object) field.ErrorList { return nil }

// ValidateUpdate accepts everything; kinds override it.
func (Base) ValidateUpdate(context.Context, runtime.Object, runtime.Object) field.ErrorList {
	return nil
}

// ValidateStatusUpdate accepts everything; kinds override it.
func (Base) ValidateStatusUpdate(context.Context, runtime.Object, runtime.Object) field.ErrorList {
	return nil
}

// TableColumns is just AGE after NAME.
func (Base) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{AgeColumn}
}

// TableRow is just the age cell.
func (Base) TableRow(obj runtime.Object) []interface{} {
	return []interface{}{Age(obj)}
}

// SelectableFields is metadata.name and metadata.namespace.
func (Base) SelectableFields(obj runtime.Object) fields.Set {
	return MetaFields(obj)
}

// MetaFields returns metadata.name and metadata.namespace; kinds add theirs.
func MetaFields(obj runtime.Object) fields.Set {
	m, err := meta.Accessor(obj)
	if err != nil {
		return fields.Set{}
	}
	return fields.Set{"metadata.name": m.GetName(), "metadata.namespace": m.GetNamespace()}
}

// SpecChanged reports whether obj and old differ in Spec (or, for kinds with
// no Spec field, in anything outside metadata and status).
func SpecChanged(obj, old runtime.Object) bool {
	ns, os := structField(obj, "Spec"), structField(old, "Spec")
	if ns.IsValid() && os.IsValid() {
		return !apiequality.Semantic.DeepEqual(ns.Interface(), os.Interface())
	}
	a, b := reflect.ValueOf(obj).Elem(), reflect.ValueOf(old).Elem()
	for i := 0; i < a.NumField(); i++ {
		name := a.Type().Field(i).Name
		if name == "TypeMeta" || name == "ObjectMeta" || name == "Status" {
			continue
		}
		if !apiequality.Semantic.DeepEqual(a.Field(i).Interface(), b.Field(i).Interface()) {
			return true
		}
	}
	return false
}

// structField returns the named field of a pointer-to-struct object, or an
// invalid Value.
func structField(obj runtime.Object, name string) reflect.Value {
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return reflect.Value{}
	}
	return v.Elem().FieldByName(name)
}
