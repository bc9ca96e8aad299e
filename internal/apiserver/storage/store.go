package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Store is the etcd-backed Interface: every call is a round trip to etcd.
// The API server uses it through a Cacher, which serves List and Watch from
// memory and sends everything else here.
type Store struct {
	client *clientv3.Client
	cfg    Config
}

var _ Interface = (*Store)(nil)

// NewStore returns the store for one resource.
func NewStore(client *clientv3.Client, cfg Config) (*Store, error) {
	if client == nil {
		return nil, errors.New("storage: nil etcd client")
	}
	cfg, err := cfg.complete()
	if err != nil {
		return nil, err
	}
	return &Store{client: client, cfg: cfg}, nil
}

// Create implements Interface.
func (s *Store) Create(ctx context.Context, key string, obj, out runtime.Object) error {
	if err := s.checkKey(key); err != nil {
		return err
	}
	if rv := resourceVersionOf(obj); rv != "" {
		return errors.New("resourceVersion should not be set on objects to be created")
	}
	data, err := s.encode(obj)
	if err != nil {
		return err
	}
	resp, err := s.client.Txn(ctx).
		If(clientv3.Compare(clientv3.CreateRevision(key), "=", 0)).
		Then(clientv3.OpPut(key, string(data))).
		Commit()
	if err != nil {
		return fmt.Errorf("create %s: %w", key, err)
	}
	if !resp.Succeeded {
		return apierrors.NewAlreadyExists(s.cfg.GroupResource, nameFromKey(key))
	}
	if out == nil {
		return nil
	}
	return s.written(obj, data, out, resp.Header.Revision)
}

// Get implements Interface. It always reads etcd (a linearizable read), so a
// client that wrote an object reads it back.
func (s *Store) Get(ctx context.Context, key string, out runtime.Object) error {
	if err := s.checkKey(key); err != nil {
		return err
	}
	resp, err := s.client.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("get %s: %w", key, err)
	}
	if len(resp.Kvs) == 0 {
		return apierrors.NewNotFound(s.cfg.GroupResource, nameFromKey(key))
	}
	kv := resp.Kvs[0]
	return s.decode(kv.Value, out, kv.ModRevision)
}

// Count implements Interface.
func (s *Store) Count(ctx context.Context, prefix string) (int64, error) {
	prefix = dirPrefix(prefix)
	if err := s.checkKey(prefix); err != nil {
		return 0, err
	}
	resp, err := s.client.Get(ctx, prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", prefix, err)
	}
	return resp.Count, nil
}

// currentRevision is etcd's latest revision, read linearizably and cheaply
// (one key, count only): the revision a consistent read must reflect.
func (s *Store) currentRevision(ctx context.Context) (int64, error) {
	resp, err := s.client.Get(ctx, s.cfg.Prefix, clientv3.WithCountOnly())
	if err != nil {
		return 0, fmt.Errorf("read current revision: %w", err)
	}
	return resp.Header.Revision, nil
}

// encode serializes obj for storage with its resourceVersion cleared (the
// version is the etcd revision, not part of the value). It clears the field
// on obj itself: the callers own the objects they pass in.
func (s *Store) encode(obj runtime.Object) ([]byte, error) {
	if err := setResourceVersion(obj, 0); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := s.cfg.Codec.Encode(obj, &buf); err != nil {
		return nil, fmt.Errorf("encode %T: %w", obj, err)
	}
	return buf.Bytes(), nil
}

// decode fills into (reset first) from stored data and stamps rev.
func (s *Store) decode(data []byte, into runtime.Object, rev int64) error {
	if err := zero(into); err != nil {
		return err
	}
	if _, _, err := s.cfg.Codec.Decode(data, nil, into); err != nil {
		return fmt.Errorf("decode stored %s: %w", s.cfg.GroupResource, err)
	}
	return setResourceVersion(into, rev)
}

// written fills out with what was just stored from obj (encoded as data)
// at revision rev. A deep copy of obj is what decoding data would give, at
// a fraction of the cost for large objects, so it is used whenever out has
// obj's type; decoding is the fallback.
func (s *Store) written(obj runtime.Object, data []byte, out runtime.Object, rev int64) error {
	src, dst := reflect.ValueOf(obj), reflect.ValueOf(out)
	if src.Type() != dst.Type() || src.Kind() != reflect.Pointer || src.IsNil() || dst.IsNil() {
		return s.decode(data, out, rev)
	}
	dst.Elem().Set(reflect.ValueOf(obj.DeepCopyObject()).Elem())
	out.GetObjectKind().SetGroupVersionKind(schema.GroupVersionKind{})
	return setResourceVersion(out, rev)
}

// decodeNew decodes data into a new object of the stored type.
func (s *Store) decodeNew(data []byte, rev int64) (runtime.Object, error) {
	obj := s.cfg.NewFunc()
	if err := s.decode(data, obj, rev); err != nil {
		return nil, err
	}
	return obj, nil
}

// checkKey refuses keys outside the resource's prefix: the watch cache only
// sees its prefix, so such a write would silently never reach watchers.
func (s *Store) checkKey(key string) error {
	if !strings.HasPrefix(key, s.cfg.Prefix) {
		return apierrors.NewInternalError(fmt.Errorf("storage for %s: key %q is outside prefix %q", s.cfg.GroupResource, key, s.cfg.Prefix))
	}
	return nil
}

// predicate fills in the configured GetAttrs when p has none.
func (s *Store) predicate(p Predicate) Predicate {
	if p.GetAttrs == nil {
		p.GetAttrs = s.cfg.GetAttrs
	}
	return p
}

// dirPrefix makes a collection prefix end in "/", so "/registry/pods/a" never
// also lists "/registry/pods/ab".
func dirPrefix(prefix string) string {
	if strings.HasSuffix(prefix, "/") {
		return prefix
	}
	return prefix + "/"
}
