package storage

import (
	"bytes"
	"io"

	"k8s.io/apimachinery/pkg/runtime"
)

// CachedObject is a watch event's object that shares its serializations
// with every other watcher of the same event: apimachinery's JSON and
// protobuf serializers recognise runtime.CacheableObject and encode each
// event once, not once per watcher. Watchers get these only when they ask
// (ListOptions.SharedEncoding); GetObject returns the typed object.
type CachedObject struct {
	runtime.Object
	enc *encodings
}

var _ runtime.CacheableObject = &CachedObject{}

// GetObject returns the typed object (a shallow copy the caller owns at the
// top level).
func (c *CachedObject) GetObject() runtime.Object { return c.Object }

// CacheEncode writes the serialization identified by id, computing it once.
func (c *CachedObject) CacheEncode(id runtime.Identifier, encode func(runtime.Object, io.Writer) error, w io.Writer) error {
	data, err := c.enc.encoded(c.Object, string(id), func(obj runtime.Object) ([]byte, error) {
		var buf bytes.Buffer
		err := encode(obj, &buf)
		return buf.Bytes(), err
	})
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// DeepCopyObject copies the typed object (a copy needs no shared cache).
func (c *CachedObject) DeepCopyObject() runtime.Object { return c.Object.DeepCopyObject() }

// share wraps obj for a watcher that asked for shared encodings.
func share(obj runtime.Object, enc *encodings, shared bool) runtime.Object {
	if !shared || obj == nil || enc == nil {
		return obj
	}
	return &CachedObject{Object: obj, enc: enc}
}
