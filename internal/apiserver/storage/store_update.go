package storage

import (
	"bytes"
	"context"
	"fmt"
	"reflect"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
)

// current is a key's state as read from etcd.
type current struct {
	obj  runtime.Object // decoded, resourceVersion set; a zero object if absent
	data []byte         // stored bytes (nil if absent)
	rev  int64          // ModRevision; 0 if absent
}

func (c *current) exists() bool { return c.rev != 0 }

// GuaranteedUpdate implements Interface. Each attempt reads the key,
// computes the new object and writes it with a compare on the ModRevision
// it read, so a concurrent writer makes the attempt fail and retry from the
// newer state instead of being overwritten (the optimistic locking the
// caller relies on).
func (s *Store) GuaranteedUpdate(ctx context.Context, key string, out runtime.Object, ignoreNotFound bool,
	preconditions *Preconditions, tryUpdate UpdateFunc) error {
	if err := s.checkKey(key); err != nil {
		return err
	}
	resp, err := s.client.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("get %s: %w", key, err)
	}
	kvs := resp.Kvs
	for {
		cur, err := s.readCurrent(kvs, out)
		if err != nil {
			return err
		}
		if !cur.exists() && !ignoreNotFound {
			return apierrors.NewNotFound(s.cfg.GroupResource, nameFromKey(key))
		}
		if err := s.checkPreconditions(key, preconditions, cur.obj); err != nil {
			return err
		}
		curRV := resourceVersionOf(cur.obj)
		updated, err := tryUpdate(cur.obj)
		if err != nil {
			return err
		}
		if rv := resourceVersionOf(updated); rv != "" && rv != curRV {
			return apierrors.NewConflict(s.cfg.GroupResource, nameFromKey(key), fmt.Errorf(OptimisticLockErrorMsg))
		}
		data, err := s.encode(updated)
		if err != nil {
			return err
		}
		if cur.exists() && bytes.Equal(data, cur.data) {
			// Nothing changed: no write, no new revision, no watch event.
			return s.decode(cur.data, out, cur.rev)
		}
		txn, err := s.client.Txn(ctx).
			If(clientv3.Compare(clientv3.ModRevision(key), "=", cur.rev)).
			Then(clientv3.OpPut(key, string(data))).
			Else(clientv3.OpGet(key)).
			Commit()
		if err != nil {
			return fmt.Errorf("update %s: %w", key, err)
		}
		if txn.Succeeded {
			return s.written(updated, data, out, txn.Header.Revision)
		}
		// Lost the race: the Else branch read the newer state; try again
		// from it without another round trip.
		kvs = txn.Responses[0].GetResponseRange().Kvs
	}
}

// Delete implements Interface, with the same compare-on-revision as
// GuaranteedUpdate so preconditions and validate are checked against exactly
// the state that is deleted. out receives that last state with the
// resourceVersion of the deletion.
func (s *Store) Delete(ctx context.Context, key string, out runtime.Object, preconditions *Preconditions,
	validate func(current runtime.Object) error) error {
	if err := s.checkKey(key); err != nil {
		return err
	}
	resp, err := s.client.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("get %s: %w", key, err)
	}
	kvs := resp.Kvs
	for {
		cur, err := s.readCurrent(kvs, out)
		if err != nil {
			return err
		}
		if !cur.exists() {
			return apierrors.NewNotFound(s.cfg.GroupResource, nameFromKey(key))
		}
		if err := s.checkPreconditions(key, preconditions, cur.obj); err != nil {
			return err
		}
		if validate != nil {
			if err := validate(cur.obj); err != nil {
				return err
			}
		}
		txn, err := s.client.Txn(ctx).
			If(clientv3.Compare(clientv3.ModRevision(key), "=", cur.rev)).
			Then(clientv3.OpDelete(key)).
			Else(clientv3.OpGet(key)).
			Commit()
		if err != nil {
			return fmt.Errorf("delete %s: %w", key, err)
		}
		if txn.Succeeded {
			if out == nil {
				return nil
			}
			return s.decode(cur.data, out, txn.Header.Revision)
		}
		kvs = txn.Responses[0].GetResponseRange().Kvs
	}
}

// readCurrent decodes a Get result; an absent key yields a zero object of
// out's type (what tryUpdate receives with ignoreNotFound).
func (s *Store) readCurrent(kvs []*mvccpb.KeyValue, out runtime.Object) (*current, error) {
	if len(kvs) == 0 {
		t := reflect.TypeOf(out)
		if t == nil || t.Kind() != reflect.Pointer {
			return nil, fmt.Errorf("storage: output object must be a pointer, got %T", out)
		}
		return &current{obj: reflect.New(t.Elem()).Interface().(runtime.Object)}, nil
	}
	kv := kvs[0]
	obj, err := s.decodeNew(kv.Value, kv.ModRevision)
	if err != nil {
		return nil, err
	}
	return &current{obj: obj, data: kv.Value, rev: kv.ModRevision}, nil
}

// checkPreconditions returns upstream's Conflict when a UID or
// resourceVersion precondition does not hold for obj.
func (s *Store) checkPreconditions(key string, p *Preconditions, obj runtime.Object) error {
	if p == nil {
		return nil
	}
	m, err := meta.Accessor(obj)
	if err != nil {
		return err
	}
	if p.UID != nil && *p.UID != m.GetUID() {
		return apierrors.NewConflict(s.cfg.GroupResource, nameFromKey(key),
			fmt.Errorf("Precondition failed: UID in precondition: %v, UID in object meta: %v", *p.UID, m.GetUID()))
	}
	if p.ResourceVersion != nil && *p.ResourceVersion != m.GetResourceVersion() {
		return apierrors.NewConflict(s.cfg.GroupResource, nameFromKey(key),
			fmt.Errorf("Precondition failed: ResourceVersion in precondition: %v, ResourceVersion in object meta: %v",
				*p.ResourceVersion, m.GetResourceVersion()))
	}
	return nil
}
