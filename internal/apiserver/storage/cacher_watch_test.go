package storage

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/watch"
)

func TestCacherWatchFromResourceVersion(t *testing.T) {
	c := newTestCacher(t, nil)
	from, want := writeSequence(t, c, c.cfg.Prefix)
	w, err := c.Watch(context.Background(), c.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: from})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	expectEvents(t, w, want)
	expectNone(t, w)

	// Live events follow the replay.
	d := create(t, c, c.cfg.Prefix, "ns", "d", nil)
	expectEvents(t, w, []got{{watch.Added, "d", d.ResourceVersion}})
}

func TestCacherWatchTooOld(t *testing.T) {
	old := newTestStore(t) // writes before the cache exists
	before := create(t, old, old.cfg.Prefix, "ns", "early", nil)

	c := newTestCacher(t, func(cfg *Config) {
		cfg.Prefix = old.cfg.Prefix
		cfg.MinEvents, cfg.MaxEvents = 4, 4
	})
	// Older than the cache's first list: 410.
	_, err := c.Watch(context.Background(), c.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: rvs(rvInt(t, before) - 1)})
	if !apierrors.IsResourceExpired(err) || !strings.HasPrefix(err.Error(), "too old resource version: ") {
		t.Fatalf("watch before the cache's start: %v", err)
	}

	// Pushed out of a 4-event history: 410, naming the oldest still held.
	first := create(t, c, c.cfg.Prefix, "ns", "p0", nil)
	var last *v1.Pod
	for i := 1; i < 10; i++ {
		last = create(t, c, c.cfg.Prefix, "ns", fmt.Sprint("p", i), nil)
	}
	if err := c.List(context.Background(), c.cfg.Prefix, ListOptions{Recursive: true}, &v1.PodList{}); err != nil {
		t.Fatal(err) // waits until the cache has every event
	}
	_, err = c.Watch(context.Background(), c.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: first.ResourceVersion})
	if !apierrors.IsResourceExpired(err) || apierrors.ReasonForError(err) != metav1.StatusReasonExpired {
		t.Fatalf("watch from an evicted rv: %v", err)
	}
	want := fmt.Sprintf("too old resource version: %s (%d)", first.ResourceVersion, rvInt(t, last)-4)
	if err.Error() != want {
		t.Fatalf("message %q, want %q", err.Error(), want)
	}
	// Still within the window: fine.
	w, err := c.Watch(context.Background(), c.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: rvs(rvInt(t, last) - 4)})
	if err != nil {
		t.Fatal(err)
	}
	w.Stop()
}

func TestCacherWatchInitialEvents(t *testing.T) {
	c := newTestCacher(t, nil)
	a := create(t, c, c.cfg.Prefix, "ns", "a", nil)
	create(t, c, c.cfg.Prefix, "other", "b", nil)

	for _, rv := range []string{"", "0"} {
		w, err := c.Watch(context.Background(), c.cfg.Prefix+"ns", ListOptions{Recursive: true, ResourceVersion: rv})
		if err != nil {
			t.Fatal(err)
		}
		expectEvents(t, w, []got{{watch.Added, "a", a.ResourceVersion}})
		expectNone(t, w)
		w.Stop()
	}

	// Watch-list: state, then the end-of-initial-events bookmark, then changes.
	yes := true
	w, err := c.Watch(context.Background(), c.cfg.Prefix, ListOptions{Recursive: true, SendInitialEvents: &yes, AllowBookmarks: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if a, b := next(t, w), next(t, w); a.Name != "a" || b.Name != "b" {
		t.Fatalf("initial events %v %v", a, b)
	}
	ev := <-w.ResultChan()
	bm, ok := ev.Object.(*v1.Pod)
	if ev.Type != watch.Bookmark || !ok || bm.Annotations[metav1.InitialEventsAnnotationKey] != "true" || bm.ResourceVersion == "" {
		t.Fatalf("want the initial-events-end bookmark, got %v %#v", ev.Type, ev.Object)
	}
	c2 := create(t, c, c.cfg.Prefix, "ns", "c", nil)
	expectEvents(t, w, []got{{watch.Added, "c", c2.ResourceVersion}})
}

// An object entering a selector is ADDED, leaving it DELETED, as upstream.
func TestCacherWatchPredicateTransitions(t *testing.T) {
	c := newTestCacher(t, nil)
	w, err := c.Watch(context.Background(), c.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: "0",
		Predicate: Predicate{Label: labels.SelectorFromSet(labels.Set{"app": "web"})}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	p := c.cfg.Prefix
	create(t, c, p, "ns", "a", map[string]string{"app": "db"})                  // no event
	a1 := update(t, c, p, "ns", "a", map[string]string{"app": "web"})           // enters: ADDED
	a2 := update(t, c, p, "ns", "a", map[string]string{"app": "web", "x": "y"}) // stays: MODIFIED
	a3 := update(t, c, p, "ns", "a", map[string]string{"app": "cache"})         // leaves: DELETED
	del(t, c, p, "ns", "a")                                                     // not matching: no event
	b := create(t, c, p, "ns", "b", map[string]string{"app": "web"})
	bd := del(t, c, p, "ns", "b")
	expectEvents(t, w, []got{
		{watch.Added, "a", a1.ResourceVersion},
		{watch.Modified, "a", a2.ResourceVersion},
		{watch.Deleted, "a", a3.ResourceVersion},
		{watch.Added, "b", b.ResourceVersion},
		{watch.Deleted, "b", bd.ResourceVersion},
	})
	expectNone(t, w)
}

// The DELETED event for an object leaving the selection carries its last
// matching state, so a client's selector logic sees what it had.
func TestCacherWatchDeletedCarriesLastMatchingState(t *testing.T) {
	c := newTestCacher(t, nil)
	create(t, c, c.cfg.Prefix, "ns", "a", map[string]string{"app": "web"})
	w, err := c.Watch(context.Background(), c.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: "0",
		Predicate: Predicate{Label: labels.SelectorFromSet(labels.Set{"app": "web"})}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	next(t, w)
	gone := update(t, c, c.cfg.Prefix, "ns", "a", map[string]string{"app": "db"})
	ev := <-w.ResultChan()
	p := ev.Object.(*v1.Pod)
	if ev.Type != watch.Deleted || p.Labels["app"] != "web" || p.ResourceVersion != gone.ResourceVersion {
		t.Fatalf("got %v labels %v rv %s; want DELETED with app=web at %s", ev.Type, p.Labels, p.ResourceVersion, gone.ResourceVersion)
	}
}

func TestCacherWatchSingleObject(t *testing.T) {
	c := newTestCacher(t, nil)
	p := c.cfg.Prefix
	create(t, c, p, "ns", "a", nil)
	create(t, c, p, "ns", "ab", nil) // shares a's key as a prefix
	tests := []struct {
		name string
		key  string
		opts ListOptions
	}{
		{"key", p + "ns/a", ListOptions{}},
		{"field selector", p + "ns/", ListOptions{Recursive: true,
			Predicate: Predicate{Field: fields.OneTermEqualSelector("metadata.name", "a")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &v1.PodList{}
			if err := c.List(context.Background(), p, ListOptions{Recursive: true}, l); err != nil {
				t.Fatal(err)
			}
			tt.opts.ResourceVersion = l.ResourceVersion
			w, err := c.Watch(context.Background(), tt.key, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Stop()
			update(t, c, p, "ns", "ab", map[string]string{"v": tt.name})
			a2 := update(t, c, p, "ns", "a", map[string]string{"v": tt.name})
			expectEvents(t, w, []got{{watch.Modified, "a", a2.ResourceVersion}})
			expectNone(t, w)
		})
	}
}

func TestCacherWatchFanout(t *testing.T) {
	c := newTestCacher(t, nil)
	const watchers, writes = 100, 20
	ws := make([]watch.Interface, watchers)
	for i := range ws {
		w, err := c.Watch(context.Background(), c.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: "0"})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Stop()
		ws[i] = w
	}
	var want []got
	for i := range writes {
		p := create(t, c, c.cfg.Prefix, "ns", fmt.Sprint(i), nil)
		want = append(want, got{watch.Added, p.Name, p.ResourceVersion})
	}
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Go(func() { expectEvents(t, w, want) })
	}
	wg.Wait()
}

// A watcher that does not read is closed when its queue fills; the others
// are not held up.
func TestCacherSlowWatcherClosed(t *testing.T) {
	// etcd delivers bursts of events at once: a queue of 64 absorbs them
	// for a reader that keeps up.
	c := newTestCacher(t, func(cfg *Config) { cfg.WatcherBuffer = 64 })
	slow, err := c.Watch(context.Background(), c.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: "0"})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Stop()
	fast, err := c.Watch(context.Background(), c.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: "0"})
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Stop()

	const writes = 200
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range writes {
			next(t, fast)
		}
	}()
	for i := range writes {
		create(t, c, c.cfg.Prefix, "ns", fmt.Sprint(i), nil)
	}
	<-done

	// The slow one gets what was queued, then the end.
	n := 0
	timeout := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-slow.ResultChan():
			if !ok {
				if n >= writes {
					t.Fatalf("slow watcher got all %d events; it should have been cut off", n)
				}
				return
			}
			n++
		case <-timeout:
			t.Fatalf("slow watcher still open after %d events", n)
		}
	}
}

func TestCacherWatchBookmarks(t *testing.T) {
	c := newTestCacher(t, func(cfg *Config) { cfg.BookmarkInterval = 100 * time.Millisecond })
	w, err := c.Watch(context.Background(), c.cfg.Prefix+"ns/", ListOptions{Recursive: true, ResourceVersion: "0", AllowBookmarks: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	// A change the watcher does not see still moves its bookmark.
	x := create(t, c, c.cfg.Prefix, "other", "x", nil)
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-w.ResultChan():
			if ev.Type != watch.Bookmark {
				t.Fatalf("unexpected %v", ev.Type)
			}
			if rvInt(t, ev.Object) >= rvInt(t, x) {
				return
			}
		case <-deadline:
			t.Fatal("no bookmark")
		}
	}
}

func TestCacherWatchStopAndContext(t *testing.T) {
	c := newTestCacher(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	w1, err := c.Watch(ctx, c.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: "0"})
	if err != nil {
		t.Fatal(err)
	}
	w2, err := c.Watch(context.Background(), c.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: "0"})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	w2.Stop()
	w2.Stop() // idempotent
	for _, w := range []watch.Interface{w1, w2} {
		select {
		case _, ok := <-w.ResultChan():
			if ok {
				t.Fatal("event after stop")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("result channel not closed")
		}
	}
	// Both are forgotten.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c.mu.RLock()
		n := len(c.watchers)
		c.mu.RUnlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d watchers still registered", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
