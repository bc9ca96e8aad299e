package apiserver_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"

	"github.com/hanok-dev/hanok/internal/apiserver/storage"
	"github.com/hanok-dev/hanok/internal/testserver"
)

// TestWatchReplay: a watch from a resourceVersion replays every later
// change in order, each event carrying the resourceVersion of its write;
// selectors filter the replay as they do live events.
func TestWatchReplay(t *testing.T) {
	s := server(t)
	ns := s.CreateNamespace(t)
	ctx := ctxFor(t)
	cms := s.Client().CoreV1().ConfigMaps(ns)
	start, err := cms.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	type write struct {
		typ  watch.EventType
		name string
		rv   string
	}
	var writes []write
	a, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a", Labels: map[string]string{"pick": "yes"}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	writes = append(writes, write{watch.Added, "a", a.ResourceVersion})
	for i := range 3 {
		a.Data = map[string]string{"i": strconv.Itoa(i)}
		if a, err = cms.Update(ctx, a, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		writes = append(writes, write{watch.Modified, "a", a.ResourceVersion})
	}
	b, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "b"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	writes = append(writes, write{watch.Added, "b", b.ResourceVersion})
	if err := cms.Delete(ctx, "a", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	writes = append(writes, write{watch.Deleted, "a", ""}) // rv: the deletion's

	for _, ct := range []string{runtime.ContentTypeJSON, runtime.ContentTypeProtobuf} {
		t.Run(ct, func(t *testing.T) {
			w, err := clientFor(t, s, ct).CoreV1().ConfigMaps(ns).Watch(ctx, metav1.ListOptions{ResourceVersion: start.ResourceVersion})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Stop()
			last := int64(0)
			for i, want := range writes {
				ev := nextEvent(t, w)
				m, err := meta.Accessor(ev.Object)
				if err != nil {
					t.Fatalf("event %d: %v %T", i, ev.Type, ev.Object)
				}
				if ev.Type != want.typ || m.GetName() != want.name || (want.rv != "" && m.GetResourceVersion() != want.rv) {
					t.Errorf("event %d: %s %s@%s, want %s %s@%s", i, ev.Type, m.GetName(), m.GetResourceVersion(), want.typ, want.name, want.rv)
				}
				rv, _ := strconv.ParseInt(m.GetResourceVersion(), 10, 64)
				if rv <= last {
					t.Errorf("event %d: resourceVersion %d not after %d", i, rv, last)
				}
				last = rv
			}
		})
	}

	t.Run("label selector", func(t *testing.T) {
		w, err := cms.Watch(ctx, metav1.ListOptions{ResourceVersion: start.ResourceVersion, LabelSelector: "pick=yes"})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Stop()
		for i, want := range []watch.EventType{watch.Added, watch.Modified, watch.Modified, watch.Modified, watch.Deleted} {
			ev := nextEvent(t, w)
			if m, _ := meta.Accessor(ev.Object); ev.Type != want || m.GetName() != "a" {
				t.Errorf("event %d: %s %s, want %s a", i, ev.Type, m.GetName(), want)
			}
		}
	})
	t.Run("from 0", func(t *testing.T) {
		// "0": the current state as ADDED events, then changes.
		w, err := cms.Watch(ctx, metav1.ListOptions{ResourceVersion: "0"})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Stop()
		ev := nextEvent(t, w)
		if m, _ := meta.Accessor(ev.Object); ev.Type != watch.Added || m.GetName() != "b" {
			t.Errorf("first event %s %s, want ADDED b", ev.Type, m.GetName())
		}
		if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c"}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		ev = nextEvent(t, w)
		if m, _ := meta.Accessor(ev.Object); ev.Type != watch.Added || m.GetName() != "c" {
			t.Errorf("live event %s %s, want ADDED c", ev.Type, m.GetName())
		}
	})
	t.Run("one object", func(t *testing.T) {
		w, err := cms.Watch(ctx, metav1.ListOptions{ResourceVersion: start.ResourceVersion, FieldSelector: "metadata.name=b"})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Stop()
		ev := nextEvent(t, w)
		if m, _ := meta.Accessor(ev.Object); ev.Type != watch.Added || m.GetName() != "b" {
			t.Errorf("event %s %s, want ADDED b", ev.Type, m.GetName())
		}
	})
}

// TestListAfterWatch: lists served from the watch cache's stored
// serializations stay well-formed after watches have encoded the same
// objects (they share that cache), in both formats.
func TestListAfterWatch(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	ns := s.CreateNamespace(t)
	cms := s.Client().CoreV1().ConfigMaps(ns)
	start, err := cms.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b"} {
		if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"k": name}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	types := []string{runtime.ContentTypeProtobuf, runtime.ContentTypeJSON}
	for _, ct := range types {
		w, err := clientFor(t, s, ct).CoreV1().ConfigMaps(ns).Watch(ctx, metav1.ListOptions{ResourceVersion: start.ResourceVersion})
		if err != nil {
			t.Fatal(err)
		}
		nextEvent(t, w)
		nextEvent(t, w)
		w.Stop()
	}
	for _, ct := range types {
		for _, rv := range []string{"", "0", start.ResourceVersion} {
			list, err := clientFor(t, s, ct).CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{ResourceVersion: rv})
			if err != nil {
				t.Errorf("%s list at %q after watches: %v", ct, rv, err)
				continue
			}
			if len(list.Items) != 2 || list.Items[0].Data["k"] != "a" || list.Items[1].Data["k"] != "b" {
				t.Errorf("%s list at %q after watches: %+v", ct, rv, list.Items)
			}
		}
	}
}

// TestListExact: resourceVersionMatch=Exact lists the state at exactly
// that resourceVersion, and 410 Gone once etcd compacted it.
func TestListExact(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	ns := s.CreateNamespace(t)
	cms := s.Client().CoreV1().ConfigMaps(ns)
	a, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "b"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	exact := metav1.ListOptions{ResourceVersion: a.ResourceVersion, ResourceVersionMatch: metav1.ResourceVersionMatchExact}
	list, err := cms.List(ctx, exact)
	if err != nil {
		t.Fatalf("exact list: %v", err)
	}
	compactAll(t, s)
	_, compactedErr := cms.List(ctx, exact)
	if compactedErr == nil && (len(list.Items) == 2 || list.ResourceVersion == a.ResourceVersion) {
		// Served as "not older than", from the cache: the option was dropped.
		knownBug(t, "rest_read.go: listOptions never reads resourceVersionMatch, so Exact lists the latest state (storage supports it)")
	}
	if len(list.Items) != 1 || list.Items[0].Name != "a" || list.ResourceVersion != a.ResourceVersion {
		t.Errorf("exact list at %s: %d items at %s, want [a] at %s", a.ResourceVersion, len(list.Items), list.ResourceVersion, a.ResourceVersion)
	}
	if !apierrors.IsResourceExpired(compactedErr) && !apierrors.IsGone(compactedErr) {
		t.Errorf("exact list at a compacted resourceVersion: %v, want 410", compactedErr)
	}
}

// compactAll compacts etcd's history up to its current revision.
func compactAll(t testing.TB, s *testserver.Server) int64 {
	t.Helper()
	resp, err := s.Etcd().Get(ctxFor(t), "compact-probe")
	if err != nil {
		t.Fatal(err)
	}
	rev := resp.Header.Revision
	if _, err := s.Etcd().Compact(ctxFor(t), rev); err != nil {
		t.Fatal(err)
	}
	return rev
}

// tunedServer has a small watch history and frequent bookmarks, to see
// both within a test's time.
var tunedServer = func(t *testing.T) *testserver.Server {
	return testserver.Start(t, testserver.WithStorage(func(c *storage.Config) {
		c.MinEvents, c.MaxEvents = 8, 8
		c.BookmarkInterval = 200 * time.Millisecond
	}))
}

// TestWatchWindowAndBookmarks: once a resourceVersion falls out of the
// watch cache's history (and etcd's, compacted), watching from it is 410;
// bookmarks come to watchers that allow them; a watch-list stream ends its
// initial events with the initial-events-end bookmark.
func TestWatchWindowAndBookmarks(t *testing.T) {
	s := tunedServer(t)
	ctx := ctxFor(t)
	ns := s.CreateNamespace(t)
	cms := s.Client().CoreV1().ConfigMaps(ns)
	cm, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	old := cm.ResourceVersion
	for i := range 20 {
		cm.Data = map[string]string{"i": strconv.Itoa(i)}
		if cm, err = cms.Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	compactAll(t, s)
	if _, err := cms.Watch(ctx, metav1.ListOptions{ResourceVersion: old}); !apierrors.IsResourceExpired(err) && !apierrors.IsGone(err) {
		t.Errorf("watch from a resourceVersion out of the window: %v, want 410", err)
	}
	// Bookmarks tell a watcher how far it is: here past a change its
	// selector filtered out.
	w, err := cms.Watch(ctx, metav1.ListOptions{ResourceVersion: cm.ResourceVersion, AllowWatchBookmarks: true, LabelSelector: "pick=yes"})
	if err != nil {
		t.Fatalf("watch from the latest resourceVersion: %v", err)
	}
	defer w.Stop()
	other, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "unpicked"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ev := nextEvent(t, w)
	if ev.Type != watch.Bookmark {
		t.Fatalf("first event: %s, want BOOKMARK", ev.Type)
	}
	bm, ok := ev.Object.(*corev1.ConfigMap)
	if !ok {
		t.Fatalf("bookmark object %T, want a ConfigMap carrying only the resourceVersion", ev.Object)
	}
	if bm.ResourceVersion != other.ResourceVersion || bm.Name != "" {
		t.Errorf("bookmark rv %s name %q, want %s and no name", bm.ResourceVersion, bm.Name, other.ResourceVersion)
	}
	// Without allowWatchBookmarks, none come.
	quiet, err := cms.Watch(ctx, metav1.ListOptions{ResourceVersion: other.ResourceVersion, LabelSelector: "pick=yes"})
	if err != nil {
		t.Fatal(err)
	}
	defer quiet.Stop()
	if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "unpicked-2"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-quiet.ResultChan():
		t.Errorf("event %s on a watch without bookmarks and no matching change", ev.Type)
	case <-time.After(600 * time.Millisecond):
	}

	// Watch-list: initial ADDED events, then the end-of-initial-events bookmark.
	send := true
	wl, err := cms.Watch(ctx, metav1.ListOptions{SendInitialEvents: &send, AllowWatchBookmarks: true,
		ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan})
	if err != nil {
		t.Fatalf("watch-list: %v", err)
	}
	defer wl.Stop()
	for range 3 { // x, unpicked, unpicked-2
		if ev := nextEvent(t, wl); ev.Type != watch.Added {
			t.Fatalf("watch-list initial event %s, want ADDED", ev.Type)
		}
	}
	ev = nextEvent(t, wl)
	bm, _ = ev.Object.(*corev1.ConfigMap)
	if ev.Type != watch.Bookmark || bm == nil || bm.Annotations[metav1.InitialEventsAnnotationKey] != "true" {
		t.Errorf("after the initial events: %s %+v, want the initial-events-end bookmark", ev.Type, ev.Object)
	}
}

// TestInformer: a client-go informer (list, then watch) syncs, sees each
// change in order, and a write from its stale cache conflicts.
func TestInformer(t *testing.T) {
	s := server(t)
	ns := s.CreateNamespace(t)
	ctx, cancel := context.WithCancel(ctxFor(t))
	defer cancel()
	cms := s.Client().CoreV1().ConfigMaps(ns)
	if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "before"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	factory := informers.NewSharedInformerFactoryWithOptions(clientFor(t, s, runtime.ContentTypeProtobuf), 0, informers.WithNamespace(ns))
	inf := factory.Core().V1().ConfigMaps().Informer()
	events := make(chan string, 100)
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj interface{}) { events <- "add " + obj.(*corev1.ConfigMap).Name },
		UpdateFunc: func(_, obj interface{}) {
			events <- "update " + obj.(*corev1.ConfigMap).Name + " " + obj.(*corev1.ConfigMap).Data["v"]
		},
		DeleteFunc: func(obj interface{}) {
			if cm, ok := obj.(*corev1.ConfigMap); ok {
				events <- "delete " + cm.Name
			}
		},
	})
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		t.Fatal("informer did not sync")
	}
	cm, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "live"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stale := cm.DeepCopy()
	for i := range 3 {
		cm.Data = map[string]string{"v": strconv.Itoa(i)}
		if cm, err = cms.Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := cms.Delete(ctx, "live", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	want := []string{"add before", "add live", "update live 0", "update live 1", "update live 2", "delete live"}
	for i, w := range want {
		select {
		case got := <-events:
			if got != w {
				t.Errorf("event %d: %q, want %q", i, got, w)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("event %d (%q) never came", i, w)
		}
	}
	stale.Data = map[string]string{"v": "stale"}
	if _, err := cms.Update(ctx, stale, metav1.UpdateOptions{}); !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) {
		t.Errorf("update from a stale copy: %v, want a conflict", err)
	}
}
