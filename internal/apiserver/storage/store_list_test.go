package storage

import (
	"context"
	"reflect"
	"testing"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
)

// fillPods stores a fixed set of pods used by the list tests:
// ns1/{a,b,c} app=web, ns1/d app=db, ns2/e app=web.
func fillPods(t testing.TB, s Interface, prefix string) {
	t.Helper()
	for _, p := range []struct{ ns, name, app string }{
		{"ns1", "a", "web"}, {"ns1", "b", "web"}, {"ns1", "c", "web"}, {"ns1", "d", "db"}, {"ns2", "e", "web"},
	} {
		create(t, s, prefix, p.ns, p.name, map[string]string{"app": p.app})
	}
}

// listCases run against both Store (etcd) and Cacher (memory).
var listCases = []struct {
	name string
	sub  string // below the prefix: "" (all) or "ns1/"
	opts ListOptions
	want []string
}{
	{name: "all", want: []string{"a", "b", "c", "d", "e"}},
	{name: "namespace", sub: "ns1/", want: []string{"a", "b", "c", "d"}},
	{name: "namespace without slash", sub: "ns1", want: []string{"a", "b", "c", "d"}},
	{name: "label selector", opts: ListOptions{Predicate: Predicate{Label: labels.SelectorFromSet(labels.Set{"app": "db"})}}, want: []string{"d"}},
	{name: "field selector", opts: ListOptions{Predicate: Predicate{Field: fields.OneTermEqualSelector("metadata.namespace", "ns2")}}, want: []string{"e"}},
	{name: "field selector on name", opts: ListOptions{Predicate: Predicate{Field: fields.OneTermEqualSelector("metadata.name", "c")}}, want: []string{"c"}},
	{name: "both", sub: "ns1/", opts: ListOptions{Predicate: Predicate{
		Label: labels.SelectorFromSet(labels.Set{"app": "web"}),
		Field: fields.OneTermNotEqualSelector("metadata.name", "a"),
	}}, want: []string{"b", "c"}},
	{name: "nothing matches", opts: ListOptions{Predicate: Predicate{Label: labels.SelectorFromSet(labels.Set{"app": "none"})}}, want: []string{}},
	{name: "single key", sub: "ns1/b", opts: ListOptions{Recursive: false}, want: []string{"b"}},
	{name: "single missing key", sub: "ns1/zz", opts: ListOptions{Recursive: false}, want: []string{}},
}

func runListCases(t *testing.T, s Interface, prefix string) {
	for _, tt := range listCases {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			if tt.name != "single key" && tt.name != "single missing key" {
				opts.Recursive = true
			}
			l := &v1.PodList{}
			if err := s.List(context.Background(), prefix+tt.sub, opts, l); err != nil {
				t.Fatal(err)
			}
			if got := names(l); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			if l.ResourceVersion == "" {
				t.Fatal("list without resourceVersion")
			}
			for _, p := range l.Items {
				if p.ResourceVersion == "" {
					t.Fatalf("item %s without resourceVersion", p.Name)
				}
			}
		})
	}
}

func TestStoreList(t *testing.T) {
	s := newTestStore(t)
	fillPods(t, s, s.cfg.Prefix)
	runListCases(t, s, s.cfg.Prefix)
}

// paginate lists prefix page by page with limit and returns all names and
// the number of pages.
func paginate(t *testing.T, s Interface, prefix string, limit int64, pred Predicate) ([]string, int) {
	t.Helper()
	var all []string
	pages := 0
	cont := ""
	listRV := ""
	for {
		l := &v1.PodList{}
		err := s.List(context.Background(), prefix, ListOptions{Recursive: true, Limit: limit, Continue: cont, Predicate: pred}, l)
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		pages++
		if listRV != "" && l.ResourceVersion != listRV {
			t.Fatalf("page %d at rv %s, first page at %s: pages must be one snapshot", pages, l.ResourceVersion, listRV)
		}
		listRV = l.ResourceVersion
		if int64(len(l.Items)) > limit {
			t.Fatalf("page of %d items with limit %d", len(l.Items), limit)
		}
		all = append(all, names(l)...)
		if l.Continue == "" {
			return all, pages
		}
		cont = l.Continue
	}
}

func testPagination(t *testing.T, s Interface, prefix string) {
	all, pages := paginate(t, s, prefix, 2, Predicate{})
	if want := []string{"a", "b", "c", "d", "e"}; !reflect.DeepEqual(all, want) || pages != 3 {
		t.Fatalf("pages=%d items=%v", pages, all)
	}
	web, _ := paginate(t, s, prefix, 2, Predicate{Label: labels.SelectorFromSet(labels.Set{"app": "web"})})
	if want := []string{"a", "b", "c", "e"}; !reflect.DeepEqual(web, want) {
		t.Fatalf("filtered pages: %v", web)
	}

	// remainingItemCount on an unfiltered page.
	l := &v1.PodList{}
	if err := s.List(context.Background(), prefix, ListOptions{Recursive: true, Limit: 2}, l); err != nil {
		t.Fatal(err)
	}
	if l.RemainingItemCount == nil || *l.RemainingItemCount != 3 {
		t.Fatalf("remainingItemCount = %v, want 3", l.RemainingItemCount)
	}

	// A page continued after writes is still the first page's snapshot.
	create(t, s, prefix, "ns1", "bb", map[string]string{"app": "web"})
	del(t, s, prefix, "ns2", "e")
	l2 := &v1.PodList{}
	if err := s.List(context.Background(), prefix, ListOptions{Recursive: true, Limit: 10, Continue: l.Continue}, l2); err != nil {
		t.Fatal(err)
	}
	if got, want := names(l2), []string{"c", "d", "e"}; !reflect.DeepEqual(got, want) || l2.ResourceVersion != l.ResourceVersion {
		t.Fatalf("continued after writes: %v at rv %s, want %v at %s", got, l2.ResourceVersion, want, l.ResourceVersion)
	}

	// Garbage tokens are a 400.
	for _, bad := range []string{"garbage", "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOiIuLi8uLi9zZWNyZXRzLyJ9"} {
		err := s.List(context.Background(), prefix, ListOptions{Recursive: true, Limit: 2, Continue: bad}, &v1.PodList{})
		if !apierrors.IsBadRequest(err) {
			t.Fatalf("continue %q: %v", bad, err)
		}
	}
}

func TestStorePagination(t *testing.T) {
	s := newTestStore(t)
	fillPods(t, s, s.cfg.Prefix)
	testPagination(t, s, s.cfg.Prefix)
}

// compact compacts etcd up to its current revision.
func compact(t testing.TB) int64 {
	t.Helper()
	resp, err := testClient.Get(context.Background(), "/compact-probe")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := testClient.Compact(context.Background(), resp.Header.Revision); err != nil {
		t.Fatal(err)
	}
	return resp.Header.Revision
}

func testExpiredContinue(t *testing.T, s Interface, prefix string) {
	l := &v1.PodList{}
	if err := s.List(context.Background(), prefix, ListOptions{Recursive: true, Limit: 2}, l); err != nil {
		t.Fatal(err)
	}
	update(t, s, prefix, "ns1", "a", map[string]string{"app": "changed"})
	// A consistent list returns once a cache has seen the update, so the
	// token's revision is no longer the cache's.
	if err := s.List(context.Background(), prefix, ListOptions{Recursive: true}, &v1.PodList{}); err != nil {
		t.Fatal(err)
	}
	compact(t)
	err := s.List(context.Background(), prefix, ListOptions{Recursive: true, Limit: 2, Continue: l.Continue}, &v1.PodList{})
	if !apierrors.IsResourceExpired(err) {
		t.Fatalf("continue after compaction: %v", err)
	}
	st := err.(apierrors.APIStatus).Status()
	if st.Code != 410 || st.ListMeta.Continue == "" || st.Message != inconsistentContinueMsg {
		t.Fatalf("status %d continue %q message %q", st.Code, st.ListMeta.Continue, st.Message)
	}
	// The token in the error continues at the latest revision.
	l2 := &v1.PodList{}
	if err := s.List(context.Background(), prefix, ListOptions{Recursive: true, Limit: 10, Continue: st.ListMeta.Continue}, l2); err != nil {
		t.Fatal(err)
	}
	if got, want := names(l2), []string{"c", "d", "e"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("inconsistent continuation: %v", got)
	}
}

func TestStoreExpiredContinue(t *testing.T) {
	s := newTestStore(t)
	fillPods(t, s, s.cfg.Prefix)
	testExpiredContinue(t, s, s.cfg.Prefix)
}

func TestStoreListResourceVersions(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a := create(t, s, s.cfg.Prefix, "ns", "a", nil)
	create(t, s, s.cfg.Prefix, "ns", "b", nil)

	// Exact reads the past.
	l := &v1.PodList{}
	if err := s.List(ctx, s.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: a.ResourceVersion,
		ResourceVersionMatch: metav1.ResourceVersionMatchExact}, l); err != nil {
		t.Fatal(err)
	}
	if got := names(l); !reflect.DeepEqual(got, []string{"a"}) || l.ResourceVersion != a.ResourceVersion {
		t.Fatalf("exact list at %s: %v at %s", a.ResourceVersion, got, l.ResourceVersion)
	}

	// A resourceVersion from the future is a 504 with upstream's cause.
	err := s.List(ctx, s.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: "999999999"}, &v1.PodList{})
	if !apierrors.IsTimeout(err) || !apierrors.HasStatusCause(err, metav1.CauseTypeResourceVersionTooLarge) {
		t.Fatalf("future rv: %v", err)
	}
	if err := s.List(ctx, s.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: "x"}, &v1.PodList{}); !apierrors.IsBadRequest(err) {
		t.Fatalf("bad rv: %v", err)
	}
}
