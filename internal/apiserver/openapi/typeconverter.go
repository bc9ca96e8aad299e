package openapi

import (
	"sync"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"sigs.k8s.io/structured-merge-diff/v6/typed"
)

// lazyTypeConverter is the server-side apply type converter, built from
// every generated definition on first use. The API handler creates its
// field managers at start; deferring the build to the first write keeps
// that cost (see BenchmarkTypeConverter) out of start-up.
type lazyTypeConverter struct {
	kinds kindIndex

	once sync.Once
	tc   managedfields.TypeConverter
	err  error
}

var _ managedfields.TypeConverter = (*lazyTypeConverter)(nil)

func (l *lazyTypeConverter) get() (managedfields.TypeConverter, error) {
	l.once.Do(func() {
		// The v3 form, as upstream builds its converter from: oneOf for
		// IntOrString and Quantity, which structured-merge-diff reads as
		// scalars either way.
		defs := loadDefinitions(v3RefPrefix)
		schemas := make(map[string]*spec.Schema, len(defs))
		for name, def := range defs {
			schemas[name] = v3Schema(def, l.kinds, name)
		}
		l.tc, l.err = managedfields.NewTypeConverter(schemas, false)
	})
	return l.tc, l.err
}

// ObjectToTyped converts a typed or unstructured object of a served kind.
func (l *lazyTypeConverter) ObjectToTyped(obj runtime.Object, opts ...typed.ValidationOptions) (*typed.TypedValue, error) {
	tc, err := l.get()
	if err != nil {
		return nil, err
	}
	return tc.ObjectToTyped(obj, opts...)
}

// TypedToObject converts back, to an unstructured object.
func (l *lazyTypeConverter) TypedToObject(v *typed.TypedValue) (runtime.Object, error) {
	tc, err := l.get()
	if err != nil {
		return nil, err
	}
	return tc.TypedToObject(v)
}
