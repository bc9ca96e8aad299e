package storage

import (
	"context"
	"reflect"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
)

// writeSequence makes a known history after a first object and returns
// the rv to watch from and the events a watcher from it must see.
func writeSequence(t *testing.T, s Interface, prefix string) (string, []got) {
	t.Helper()
	a := create(t, s, prefix, "ns", "a", nil)
	b := create(t, s, prefix, "ns", "b", nil)
	a2 := update(t, s, prefix, "ns", "a", map[string]string{"v": "2"})
	bd := del(t, s, prefix, "ns", "b")
	return a.ResourceVersion, []got{
		{watch.Added, "b", b.ResourceVersion},
		{watch.Modified, "a", a2.ResourceVersion},
		{watch.Deleted, "b", bd.ResourceVersion},
	}
}

func expectEvents(t *testing.T, w watch.Interface, want []got) {
	t.Helper()
	var gotEvents []got
	for range want {
		gotEvents = append(gotEvents, next(t, w))
	}
	if !reflect.DeepEqual(gotEvents, want) {
		t.Fatalf("events\n got: %v\nwant: %v", gotEvents, want)
	}
}

func TestStoreWatchFromResourceVersion(t *testing.T) {
	s := newTestStore(t)
	from, want := writeSequence(t, s, s.cfg.Prefix)
	w, err := s.Watch(context.Background(), s.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: from})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	expectEvents(t, w, want)
	expectNone(t, w)
}

func TestStoreWatchInitialEvents(t *testing.T) {
	s := newTestStore(t)
	create(t, s, s.cfg.Prefix, "ns", "a", nil)
	yes := true
	w, err := s.Watch(context.Background(), s.cfg.Prefix, ListOptions{Recursive: true, SendInitialEvents: &yes, AllowBookmarks: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if ev := next(t, w); ev.Type != watch.Added || ev.Name != "a" {
		t.Fatalf("first event %v", ev)
	}
	ev := <-w.ResultChan()
	if ev.Type != watch.Bookmark || ev.Object.(*v1.Pod).Annotations[metav1.InitialEventsAnnotationKey] != "true" {
		t.Fatalf("want the initial-events-end bookmark, got %v %#v", ev.Type, ev.Object)
	}
	b := create(t, s, s.cfg.Prefix, "ns", "b", nil)
	if ev := next(t, w); ev != (got{watch.Added, "b", b.ResourceVersion}) {
		t.Fatalf("live event %v", ev)
	}
}

func TestStoreWatchCompacted(t *testing.T) {
	s := newTestStore(t)
	a := create(t, s, s.cfg.Prefix, "ns", "a", nil)
	update(t, s, s.cfg.Prefix, "ns", "a", map[string]string{"v": "2"})
	update(t, s, s.cfg.Prefix, "ns", "a", map[string]string{"v": "3"})
	compact(t) // the revision after a's creation is gone
	w, err := s.Watch(context.Background(), s.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: a.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	select {
	case ev := <-w.ResultChan():
		st, ok := ev.Object.(*metav1.Status)
		if ev.Type != watch.Error || !ok || st.Code != 410 || st.Reason != metav1.StatusReasonExpired {
			t.Fatalf("want a 410 ERROR event, got %v %#v", ev.Type, ev.Object)
		}
		if !apierrors.IsResourceExpired(apierrors.FromObject(st)) {
			t.Fatalf("not recognised as expired: %v", st)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no error event")
	}
	if _, ok := <-w.ResultChan(); ok {
		t.Fatal("watch stayed open after the error")
	}
}
