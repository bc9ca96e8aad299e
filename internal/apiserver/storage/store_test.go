package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
)

func TestStoreCreateGet(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	out := create(t, s, s.cfg.Prefix, "ns", "a", map[string]string{"app": "x"})
	if out.ResourceVersion == "" || out.Name != "a" || out.Labels["app"] != "x" {
		t.Fatalf("create returned %+v", out.ObjectMeta)
	}

	got := &v1.Pod{}
	if err := s.Get(ctx, key(s, "ns", "a"), got); err != nil {
		t.Fatal(err)
	}
	if got.ResourceVersion != out.ResourceVersion {
		t.Fatalf("get rv %s, create rv %s", got.ResourceVersion, out.ResourceVersion)
	}

	// Stored as full JSON with apiVersion/kind, without resourceVersion.
	raw, err := testClient.Get(ctx, key(s, "ns", "a"))
	if err != nil {
		t.Fatal(err)
	}
	var stored map[string]any
	if err := json.Unmarshal(raw.Kvs[0].Value, &stored); err != nil {
		t.Fatal(err)
	}
	if stored["apiVersion"] != "v1" || stored["kind"] != "Pod" {
		t.Fatalf("stored apiVersion/kind = %v/%v", stored["apiVersion"], stored["kind"])
	}
	if _, has := stored["metadata"].(map[string]any)["resourceVersion"]; has {
		t.Fatal("resourceVersion must not be stored")
	}
	if strconv.FormatInt(raw.Kvs[0].ModRevision, 10) != out.ResourceVersion {
		t.Fatalf("resourceVersion %s is not the ModRevision %d", out.ResourceVersion, raw.Kvs[0].ModRevision)
	}
}

func TestStoreCreateErrors(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	create(t, s, s.cfg.Prefix, "ns", "a", nil)

	err := s.Create(ctx, key(s, "ns", "a"), newPod("ns", "a", nil), &v1.Pod{})
	if !apierrors.IsAlreadyExists(err) || err.Error() != `pods "a" already exists` {
		t.Fatalf("second create: %v", err)
	}

	p := newPod("ns", "b", nil)
	p.ResourceVersion = "5"
	if err := s.Create(ctx, key(s, "ns", "b"), p, &v1.Pod{}); err == nil {
		t.Fatal("create with a resourceVersion succeeded")
	}

	if err := s.Create(ctx, "/registry/other/ns/c", newPod("ns", "c", nil), &v1.Pod{}); err == nil {
		t.Fatal("create outside the prefix succeeded")
	}

	err = s.Get(ctx, key(s, "ns", "missing"), &v1.Pod{})
	if !apierrors.IsNotFound(err) || err.Error() != `pods "missing" not found` {
		t.Fatalf("get missing: %v", err)
	}
}

func TestStoreGuaranteedUpdate(t *testing.T) {
	setLabel := func(v string) UpdateFunc {
		return func(cur runtime.Object) (runtime.Object, error) {
			cur.(*v1.Pod).Labels = map[string]string{"v": v}
			return cur, nil
		}
	}
	uid := func(s string) *types.UID { u := types.UID(s); return &u }
	str := func(s string) *string { return &s }
	errRefused := errors.New("refused")

	tests := []struct {
		name           string
		key            string // default "a", which exists
		ignoreNotFound bool
		pre            func(stored *v1.Pod) *Preconditions
		try            func(stored *v1.Pod) UpdateFunc
		wantErr        func(error) bool
		wantErrMsg     string
		wantWrite      bool
	}{{
		name:      "plain update",
		try:       func(*v1.Pod) UpdateFunc { return setLabel("2") },
		wantWrite: true,
	}, {
		name: "matching resourceVersion",
		try: func(stored *v1.Pod) UpdateFunc {
			return func(cur runtime.Object) (runtime.Object, error) {
				p := stored.DeepCopy()
				p.Labels = map[string]string{"v": "2"}
				return p, nil
			}
		},
		wantWrite: true,
	}, {
		name: "stale resourceVersion is a conflict",
		try: func(stored *v1.Pod) UpdateFunc {
			return func(cur runtime.Object) (runtime.Object, error) {
				p := stored.DeepCopy()
				p.ResourceVersion = "1"
				p.Labels = map[string]string{"v": "2"}
				return p, nil
			}
		},
		wantErr:    apierrors.IsConflict,
		wantErrMsg: `Operation cannot be fulfilled on pods "a": ` + OptimisticLockErrorMsg,
	}, {
		name:       "UID precondition",
		pre:        func(*v1.Pod) *Preconditions { return &Preconditions{UID: uid("other")} },
		try:        func(*v1.Pod) UpdateFunc { return setLabel("2") },
		wantErr:    apierrors.IsConflict,
		wantErrMsg: `Operation cannot be fulfilled on pods "a": Precondition failed: UID in precondition: other, UID in object meta: uid-a`,
	}, {
		name:    "resourceVersion precondition",
		pre:     func(*v1.Pod) *Preconditions { return &Preconditions{ResourceVersion: str("1")} },
		try:     func(*v1.Pod) UpdateFunc { return setLabel("2") },
		wantErr: apierrors.IsConflict,
	}, {
		name: "preconditions that hold",
		pre: func(p *v1.Pod) *Preconditions {
			return &Preconditions{UID: uid("uid-a"), ResourceVersion: str(p.ResourceVersion)}
		},
		try:       func(*v1.Pod) UpdateFunc { return setLabel("2") },
		wantWrite: true,
	}, {
		name: "tryUpdate error is returned unchanged",
		try: func(*v1.Pod) UpdateFunc {
			return func(runtime.Object) (runtime.Object, error) { return nil, errRefused }
		},
		wantErr: func(err error) bool { return err == errRefused },
	}, {
		name: "no change, no write",
		try:  func(*v1.Pod) UpdateFunc { return setLabel("1") },
	}, {
		name:    "missing key",
		key:     "missing",
		try:     func(*v1.Pod) UpdateFunc { return setLabel("2") },
		wantErr: apierrors.IsNotFound,
	}, {
		name:           "missing key with ignoreNotFound creates",
		key:            "new",
		ignoreNotFound: true,
		try: func(*v1.Pod) UpdateFunc {
			return func(cur runtime.Object) (runtime.Object, error) {
				if cur.(*v1.Pod).Name != "" {
					return nil, fmt.Errorf("want a zero object, got %q", cur.(*v1.Pod).Name)
				}
				return newPod("ns", "new", nil), nil
			}
		},
		wantWrite: true,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestStore(t)
			ctx := context.Background()
			stored := create(t, s, s.cfg.Prefix, "ns", "a", map[string]string{"v": "1"})
			name := "a"
			if tt.key != "" {
				name = tt.key
			}
			var pre *Preconditions
			if tt.pre != nil {
				pre = tt.pre(stored)
			}
			before, _ := testClient.Get(ctx, s.cfg.Prefix, clientPrefix())
			out := &v1.Pod{}
			err := s.GuaranteedUpdate(ctx, key(s, "ns", name), out, tt.ignoreNotFound, pre, tt.try(stored))
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != nil && !tt.wantErr(err):
				t.Fatalf("wrong error: %v", err)
			case tt.wantErrMsg != "" && err.Error() != tt.wantErrMsg:
				t.Fatalf("error message\n got: %s\nwant: %s", err, tt.wantErrMsg)
			}
			after, _ := testClient.Get(ctx, s.cfg.Prefix, clientPrefix())
			wrote := after.Header.Revision != before.Header.Revision
			if wrote != tt.wantWrite {
				t.Fatalf("wrote = %v, want %v", wrote, tt.wantWrite)
			}
			if err == nil {
				cur := &v1.Pod{}
				if err := s.Get(ctx, key(s, "ns", name), cur); err != nil {
					t.Fatal(err)
				}
				if cur.ResourceVersion != out.ResourceVersion {
					t.Fatalf("out rv %s, stored rv %s", out.ResourceVersion, cur.ResourceVersion)
				}
			}
		})
	}
}

func TestStoreConcurrentUpdates(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	create(t, s, s.cfg.Prefix, "ns", "counter", nil)
	const workers, each = 10, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for range each {
				err := s.GuaranteedUpdate(ctx, key(s, "ns", "counter"), &v1.Pod{}, false, nil,
					func(cur runtime.Object) (runtime.Object, error) {
						p := cur.(*v1.Pod)
						n, _ := strconv.Atoi(p.Annotations["n"])
						p.Annotations = map[string]string{"n": strconv.Itoa(n + 1)}
						return p, nil
					})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	p := &v1.Pod{}
	if err := s.Get(ctx, key(s, "ns", "counter"), p); err != nil {
		t.Fatal(err)
	}
	if p.Annotations["n"] != strconv.Itoa(workers*each) {
		t.Fatalf("counter = %s, want %d", p.Annotations["n"], workers*each)
	}
}

func TestStoreDelete(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	stored := create(t, s, s.cfg.Prefix, "ns", "a", nil)

	stale := "1"
	err := s.Delete(ctx, key(s, "ns", "a"), &v1.Pod{}, &Preconditions{ResourceVersion: &stale}, nil)
	if !apierrors.IsConflict(err) {
		t.Fatalf("delete with stale precondition: %v", err)
	}
	refuse := errors.New("has finalizers")
	err = s.Delete(ctx, key(s, "ns", "a"), &v1.Pod{}, nil, func(runtime.Object) error { return refuse })
	if err != refuse {
		t.Fatalf("validate refusal: %v", err)
	}

	out := &v1.Pod{}
	if err := s.Delete(ctx, key(s, "ns", "a"), out, &Preconditions{ResourceVersion: &stored.ResourceVersion}, nil); err != nil {
		t.Fatal(err)
	}
	if out.Name != "a" || rvInt(t, out) <= rvInt(t, stored) {
		t.Fatalf("deleted object %s rv %s, want a with rv > %s", out.Name, out.ResourceVersion, stored.ResourceVersion)
	}
	if err := s.Get(ctx, key(s, "ns", "a"), &v1.Pod{}); !apierrors.IsNotFound(err) {
		t.Fatalf("get after delete: %v", err)
	}
	if err := s.Delete(ctx, key(s, "ns", "a"), &v1.Pod{}, nil, nil); !apierrors.IsNotFound(err) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestStoreCount(t *testing.T) {
	s := newTestStore(t)
	for i := range 3 {
		create(t, s, s.cfg.Prefix, "ns", fmt.Sprint(i), nil)
	}
	create(t, s, s.cfg.Prefix, "other", "x", nil)
	for _, tt := range []struct {
		prefix string
		want   int64
	}{{s.cfg.Prefix, 4}, {s.cfg.Prefix + "ns", 3}, {s.cfg.Prefix + "ns/", 3}, {s.cfg.Prefix + "none/", 0}} {
		n, err := s.Count(context.Background(), tt.prefix)
		if err != nil || n != tt.want {
			t.Errorf("Count(%s) = %d, %v; want %d", strings.TrimPrefix(tt.prefix, s.cfg.Prefix), n, err, tt.want)
		}
	}
}
