package storage

import (
	"reflect"
	"testing"
)

func TestIndex(t *testing.T) {
	var x index
	for _, k := range []string{"/p/b/2", "/p/a/1", "/p/b/1", "/p/c/1", "/p/a/2", "/p/b/10"} {
		if prev := x.put(&entry{key: k}); prev != nil {
			t.Fatalf("put %s replaced %s", k, prev.key)
		}
	}
	if prev := x.put(&entry{key: "/p/b/1", rev: 2}); prev == nil || prev.rev != 0 {
		t.Fatal("replace did not return the previous entry")
	}
	if x.remove("/p/c/1") == nil || x.remove("/p/c/1") != nil {
		t.Fatal("remove")
	}
	keys := func(es []*entry) []string {
		out := []string{}
		for _, e := range es {
			out = append(out, e.key)
		}
		return out
	}
	tests := []struct {
		prefix, from string
		want         []string
	}{
		{"/p/", "", []string{"/p/a/1", "/p/a/2", "/p/b/1", "/p/b/10", "/p/b/2"}},
		{"/p/b/", "", []string{"/p/b/1", "/p/b/10", "/p/b/2"}},
		{"/p/b/", "/p/b/1\x00", []string{"/p/b/10", "/p/b/2"}},
		{"/p/a/", "/p/z", []string{}},
		{"/p/c/", "", []string{}},
	}
	for _, tt := range tests {
		if got := keys(x.scan(tt.prefix, tt.from)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("scan(%q, %q) = %v, want %v", tt.prefix, tt.from, got, tt.want)
		}
	}
	if e := x.get("/p/b/1"); e == nil || e.rev != 2 {
		t.Fatal("get")
	}
	if x.get("/p/b") != nil || x.len() != 5 {
		t.Fatal("get of a prefix or len")
	}
}
