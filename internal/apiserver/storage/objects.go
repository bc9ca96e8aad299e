package storage

import (
	"fmt"
	"reflect"
	"strconv"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
)

// setResourceVersion stamps obj with rev (etcd's ModRevision). The version
// is never part of the stored JSON: it is the revision the value lives at.
func setResourceVersion(obj runtime.Object, rev int64) error {
	m, err := meta.Accessor(obj)
	if err != nil {
		return err
	}
	if rev == 0 {
		m.SetResourceVersion("")
		return nil
	}
	m.SetResourceVersion(strconv.FormatInt(rev, 10))
	return nil
}

func resourceVersionOf(obj runtime.Object) string {
	m, err := meta.Accessor(obj)
	if err != nil {
		return ""
	}
	return m.GetResourceVersion()
}

// shallowCopy returns a new top-level struct with obj's field values.
//
// Objects handed out by the watch cache are shallow copies of the cached
// ones: each caller owns its top-level struct (so encoders that set
// apiVersion/kind, or code that sets a resourceVersion or clears
// managedFields, never race), while maps, slices and pointers inside stay
// shared with the cache and must be treated as read-only. A deep copy of a
// pod costs ~4µs, which for a 10,000-item list or a 100-watcher fan-out is
// most of the time budget; a shallow one costs ~0.1µs.
//
// Unstructured objects (custom resources) keep everything, metadata
// included, in one map, so for them only a deep copy gives the caller its
// own top level.
func shallowCopy(obj runtime.Object) runtime.Object {
	if _, ok := obj.(runtime.Unstructured); ok {
		return obj.DeepCopyObject()
	}
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return obj.DeepCopyObject()
	}
	out := reflect.New(v.Elem().Type())
	out.Elem().Set(v.Elem())
	return out.Interface().(runtime.Object)
}

// zero resets the struct obj points to, so decoding into a reused object
// never merges in fields of what it held before.
func zero(obj runtime.Object) error {
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fmt.Errorf("storage: output object must be a non-nil pointer, got %T", obj)
	}
	v.Elem().Set(reflect.Zero(v.Elem().Type()))
	return nil
}

// listBuilder fills a typed list (e.g. *v1.PodList) with objects, copying
// each top-level struct into the list's Items slice in one allocation.
type listBuilder struct {
	items reflect.Value // the list's Items slice (settable)
	ptrs  bool          // Items holds pointers ([]*T) rather than values ([]T)
}

func newListBuilder(listObj runtime.Object) (*listBuilder, error) {
	ptr, err := meta.GetItemsPtr(listObj)
	if err != nil {
		return nil, err
	}
	items := reflect.ValueOf(ptr).Elem()
	if items.Kind() != reflect.Slice {
		return nil, fmt.Errorf("storage: %T.Items is not a slice", listObj)
	}
	return &listBuilder{items: items, ptrs: items.Type().Elem().Kind() == reflect.Pointer}, nil
}

// set replaces the list's items with objs. For value slices each item is a
// copy of the object's top-level struct (see shallowCopy for what stays
// shared); for pointer slices, a shallow copy is stored.
func (b *listBuilder) set(objs []runtime.Object) error {
	elemType := b.items.Type().Elem()
	s := reflect.MakeSlice(b.items.Type(), len(objs), len(objs))
	for i, obj := range objs {
		if _, ok := obj.(runtime.Unstructured); ok || b.ptrs {
			obj = shallowCopy(obj)
		}
		v := reflect.ValueOf(obj)
		if !b.ptrs {
			v = v.Elem()
		}
		if v.Type() != elemType {
			return fmt.Errorf("storage: cannot put %T into a list of %v", obj, elemType)
		}
		s.Index(i).Set(v)
	}
	b.items.Set(s)
	return nil
}

// setListMeta sets the list's resourceVersion, continue token and, when
// known, the count of items after this page.
func setListMeta(listObj runtime.Object, rev int64, cont string, remaining *int64) error {
	l, err := meta.ListAccessor(listObj)
	if err != nil {
		return err
	}
	l.SetResourceVersion(strconv.FormatInt(rev, 10))
	l.SetContinue(cont)
	l.SetRemainingItemCount(remaining)
	return nil
}
