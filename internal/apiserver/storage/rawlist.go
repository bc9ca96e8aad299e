package storage

import (
	"errors"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// RawList asks List for every item already serialized, instead of decoded
// objects. The watch cache keeps each object's serialization (per
// EncoderID) with the object itself and reuses it until the object changes,
// so a large LIST costs a concatenation rather than a fresh encode of every
// object. Stores that cannot serve it (etcd directly) return
// ErrRawListUnsupported and the caller lists typed objects instead.
type RawList struct {
	metav1.ListMeta
	// EncoderID names the serialization (e.g. "protobuf", "json"); Encode
	// produces it for one object. Both are set by the caller.
	EncoderID string
	Encode    func(obj runtime.Object) ([]byte, error)
	// Items are filled by List, in key order.
	Items [][]byte
}

// ErrRawListUnsupported: list typed objects instead.
var ErrRawListUnsupported = errors.New("storage: raw lists are served from the watch cache only")

// GetObjectKind implements runtime.Object; a RawList never goes on the wire.
func (*RawList) GetObjectKind() schema.ObjectKind { return schema.EmptyObjectKind }

// DeepCopyObject implements runtime.Object.
func (l *RawList) DeepCopyObject() runtime.Object {
	c := *l
	c.Items = append([][]byte(nil), l.Items...)
	return &c
}

// encodings caches an entry's serializations; an entry is replaced when its
// object changes, so a cached form can never be stale.
type encodings struct {
	mu    sync.Mutex
	forms []encodedForm
}

type encodedForm struct {
	id   string
	data []byte
}

// encoded returns obj serialized by encode, computing it once per id.
func (e *encodings) encoded(obj runtime.Object, id string, encode func(runtime.Object) ([]byte, error)) ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, f := range e.forms {
		if f.id == id {
			return f.data, nil
		}
	}
	data, err := encode(obj)
	if err != nil {
		return nil, err
	}
	e.forms = append(e.forms, encodedForm{id: id, data: data})
	return data, nil
}
