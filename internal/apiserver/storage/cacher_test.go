package storage

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestCacherList(t *testing.T) {
	c := newTestCacher(t, nil)
	fillPods(t, c, c.cfg.Prefix)
	runListCases(t, c, c.cfg.Prefix)
}

func TestCacherPagination(t *testing.T) {
	c := newTestCacher(t, nil)
	fillPods(t, c, c.cfg.Prefix)
	testPagination(t, c, c.cfg.Prefix)
}

func TestCacherExpiredContinue(t *testing.T) {
	c := newTestCacher(t, nil)
	fillPods(t, c, c.cfg.Prefix)
	testExpiredContinue(t, c, c.cfg.Prefix)
}

// A list with resourceVersion "" sees every write acknowledged before it,
// even one made a moment ago: the cache waits for etcd's revision.
func TestCacherConsistentList(t *testing.T) {
	c := newTestCacher(t, nil)
	ctx := context.Background()
	for i := range 20 {
		p := create(t, c, c.cfg.Prefix, "ns", fmt.Sprint(i), nil)
		l := &v1.PodList{}
		if err := c.List(ctx, c.cfg.Prefix, ListOptions{Recursive: true}, l); err != nil {
			t.Fatal(err)
		}
		if len(l.Items) != i+1 || rvInt(t, l) < rvInt(t, p) {
			t.Fatalf("after %d creates: %d items at rv %s (last write %s)", i+1, len(l.Items), l.ResourceVersion, p.ResourceVersion)
		}
	}
}

// An idle resource still serves consistent lists quickly when other
// resources move etcd's revision: the cache asks etcd for progress.
func TestCacherConsistentListIdleResource(t *testing.T) {
	c := newTestCacher(t, nil)
	other := newTestStore(t)
	o := create(t, other, other.cfg.Prefix, "ns", "x", nil)
	began := time.Now()
	l := &v1.PodList{}
	if err := c.List(context.Background(), c.cfg.Prefix, ListOptions{Recursive: true}, l); err != nil {
		t.Fatal(err)
	}
	if rvInt(t, l) < rvInt(t, o) {
		t.Fatalf("list rv %s is behind etcd's %s", l.ResourceVersion, o.ResourceVersion)
	}
	if d := time.Since(began); d > time.Second {
		t.Fatalf("consistent list of an idle resource took %v", d)
	}
}

func TestCacherListResourceVersions(t *testing.T) {
	c := newTestCacher(t, func(cfg *Config) { cfg.FreshnessTimeout = 200 * time.Millisecond })
	ctx := context.Background()
	a := create(t, c, c.cfg.Prefix, "ns", "a", nil)
	create(t, c, c.cfg.Prefix, "ns", "b", nil)

	// "At least N" waits for the cache to reach N.
	l := &v1.PodList{}
	if err := c.List(ctx, c.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: a.ResourceVersion}, l); err != nil {
		t.Fatal(err)
	}
	if rvInt(t, l) < rvInt(t, a) {
		t.Fatalf("list at %s, asked for at least %s", l.ResourceVersion, a.ResourceVersion)
	}
	// Exact goes to etcd for the past.
	l = &v1.PodList{}
	if err := c.List(ctx, c.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: a.ResourceVersion,
		ResourceVersionMatch: metav1.ResourceVersionMatchExact}, l); err != nil {
		t.Fatal(err)
	}
	if got := names(l); !reflect.DeepEqual(got, []string{"a"}) {
		t.Fatalf("exact list: %v", got)
	}
	// "0" is whatever the cache has.
	l = &v1.PodList{}
	if err := c.List(ctx, c.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: "0"}, l); err != nil {
		t.Fatal(err)
	}
	// The future is a 504 with upstream's cause, after FreshnessTimeout.
	err := c.List(ctx, c.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: "999999999"}, &v1.PodList{})
	if !apierrors.IsTimeout(err) || !apierrors.HasStatusCause(err, metav1.CauseTypeResourceVersionTooLarge) {
		t.Fatalf("future rv: %v", err)
	}
}

// Items handed out are the caller's at the top level: changing them does
// not change the cache.
func TestCacherListIsolation(t *testing.T) {
	c := newTestCacher(t, nil)
	create(t, c, c.cfg.Prefix, "ns", "a", nil)
	l := &v1.PodList{}
	if err := c.List(context.Background(), c.cfg.Prefix, ListOptions{Recursive: true}, l); err != nil {
		t.Fatal(err)
	}
	l.Items[0].Name = "changed"
	l.Items[0].ResourceVersion = "1"
	l.Items[0].Kind = "Other"
	l2 := &v1.PodList{}
	if err := c.List(context.Background(), c.cfg.Prefix, ListOptions{Recursive: true}, l2); err != nil {
		t.Fatal(err)
	}
	if p := l2.Items[0]; p.Name != "a" || p.ResourceVersion == "1" || p.Kind != "Pod" {
		t.Fatalf("cache changed through a listed item: %s %s %s", p.Name, p.ResourceVersion, p.Kind)
	}
}

func TestCacherCount(t *testing.T) {
	c := newTestCacher(t, nil)
	fillPods(t, c, c.cfg.Prefix)
	n, err := c.Count(context.Background(), c.cfg.Prefix+"ns1")
	if err != nil || n != 4 {
		t.Fatalf("count = %d, %v", n, err)
	}
}

// After the etcd watch fails, the cache relists: watchers are closed, and
// what happened meanwhile is visible.
func TestCacherRelist(t *testing.T) {
	c := newTestCacher(t, nil)
	ctx := context.Background()
	create(t, c, c.cfg.Prefix, "ns", "a", nil)
	w, err := c.Watch(ctx, c.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: "0"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	next(t, w) // ADDED a

	c.restart <- struct{}{}
	select {
	case _, ok := <-w.ResultChan():
		if ok {
			t.Fatal("watch got an event instead of being closed by the relist")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("watch not closed by the relist")
	}
	b := create(t, c, c.cfg.Prefix, "ns", "b", nil)
	l := &v1.PodList{}
	if err := c.List(ctx, c.cfg.Prefix, ListOptions{Recursive: true}, l); err != nil {
		t.Fatal(err)
	}
	if got := names(l); !reflect.DeepEqual(got, []string{"a", "b"}) || rvInt(t, l) < rvInt(t, b) {
		t.Fatalf("after relist: %v at %s", got, l.ResourceVersion)
	}
}

// Once the cache's context ends, requests fail with 503 instead of hanging.
func TestCacherStopped(t *testing.T) {
	cfg := podConfig()
	ctx, cancel := context.WithCancel(context.Background())
	c, err := NewCacher(ctx, testClient, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	w, err := c.Watch(context.Background(), cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: "0"})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case _, ok := <-w.ResultChan():
		if ok {
			t.Fatal("unexpected event")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("watch not closed on shutdown")
	}
	err = c.List(context.Background(), cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: "0"}, &v1.PodList{})
	if !apierrors.IsServiceUnavailable(err) {
		t.Fatalf("list after stop: %v", err)
	}
}
