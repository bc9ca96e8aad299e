package volume

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// visible reads what a container would see: every non-".." entry of dir,
// followed through its symlink, with content and permission bits.
func visible(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	var walk func(rel string)
	walk = func(rel string) {
		entries, err := os.ReadDir(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := filepath.Join(rel, e.Name())
			if rel == "" && len(e.Name()) > 1 && e.Name()[:2] == ".." {
				continue
			}
			info, err := os.Stat(filepath.Join(dir, name)) // follows the links
			if err != nil {
				t.Fatal(err)
			}
			if info.IsDir() {
				walk(name)
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			out[name] = info.Mode().Perm().String() + " " + string(data)
		}
	}
	walk("")
	return out
}

func TestWriteAtomic(t *testing.T) {
	type step struct {
		payload     map[string]FileProjection
		wantChanged bool
		want        map[string]string
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{
			name: "first write, then unchanged",
			steps: []step{
				{
					payload:     map[string]FileProjection{"a": {Data: []byte("1"), Mode: 0o644}, "dir/b": {Data: []byte("2"), Mode: 0o400}},
					wantChanged: true,
					want:        map[string]string{"a": "-rw-r--r-- 1", "dir/b": "-r-------- 2"},
				},
				{
					payload:     map[string]FileProjection{"a": {Data: []byte("1"), Mode: 0o644}, "dir/b": {Data: []byte("2"), Mode: 0o400}},
					wantChanged: false,
					want:        map[string]string{"a": "-rw-r--r-- 1", "dir/b": "-r-------- 2"},
				},
			},
		},
		{
			name: "update and key removal",
			steps: []step{
				{
					payload:     map[string]FileProjection{"a": {Data: []byte("1"), Mode: 0o644}, "b": {Data: []byte("2"), Mode: 0o644}},
					wantChanged: true,
					want:        map[string]string{"a": "-rw-r--r-- 1", "b": "-rw-r--r-- 2"},
				},
				{
					payload:     map[string]FileProjection{"a": {Data: []byte("changed"), Mode: 0o644}},
					wantChanged: true,
					want:        map[string]string{"a": "-rw-r--r-- changed"},
				},
				{
					payload:     map[string]FileProjection{},
					wantChanged: true,
					want:        map[string]string{},
				},
			},
		},
		{
			name: "mode bits exact despite umask",
			steps: []step{{
				payload:     map[string]FileProjection{"x": {Data: []byte("x"), Mode: 0o777}, "y": {Data: []byte("y"), Mode: 0o440}},
				wantChanged: true,
				want:        map[string]string{"x": "-rwxrwxrwx x", "y": "-r--r----- y"},
			}},
		},
		{
			name: "nested path moves to a top-level file",
			steps: []step{
				{
					payload:     map[string]FileProjection{"d/k": {Data: []byte("1"), Mode: 0o644}},
					wantChanged: true,
					want:        map[string]string{"d/k": "-rw-r--r-- 1"},
				},
				{
					payload:     map[string]FileProjection{"d": {Data: []byte("file now"), Mode: 0o644}},
					wantChanged: true,
					want:        map[string]string{"d": "-rw-r--r-- file now"},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for i, s := range tt.steps {
				changed, err := writeAtomic(dir, s.payload, nil)
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if changed != s.wantChanged {
					t.Errorf("step %d: changed = %v, want %v", i, changed, s.wantChanged)
				}
				got := visible(t, dir)
				if len(got) != len(s.want) {
					t.Errorf("step %d: got %v, want %v", i, got, s.want)
				}
				for k, v := range s.want {
					if got[k] != v {
						t.Errorf("step %d: %s = %q, want %q", i, k, got[k], v)
					}
				}
				// Exactly one timestamped folder remains, behind ..data.
				entries, _ := os.ReadDir(dir)
				var ts []string
				for _, e := range entries {
					if e.IsDir() && len(e.Name()) > 2 && e.Name()[:2] == ".." {
						ts = append(ts, e.Name())
					}
				}
				sort.Strings(ts)
				target, err := os.Readlink(filepath.Join(dir, dataDirName))
				if err != nil || len(ts) != 1 || ts[0] != target {
					t.Errorf("step %d: timestamped folders %v, ..data -> %q (%v)", i, ts, target, err)
				}
			}
		})
	}
}

func TestWriteAtomicVisibleNamesAreLinks(t *testing.T) {
	dir := t.TempDir()
	if _, err := writeAtomic(dir, map[string]FileProjection{"key": {Data: []byte("v"), Mode: 0o644}}, nil); err != nil {
		t.Fatal(err)
	}
	target, err := os.Readlink(filepath.Join(dir, "key"))
	if err != nil || target != "..data/key" {
		t.Fatalf("key -> %q, %v; want ..data/key", target, err)
	}
}

func TestWriteAtomicRefusesBadPaths(t *testing.T) {
	for _, p := range []string{"", ".", "./", "/abs", "../up", "a/../../b", "..hidden", "..data"} {
		t.Run(p, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := writeAtomic(dir, map[string]FileProjection{p: {Data: []byte("x"), Mode: 0o644}}, nil); err == nil {
				t.Errorf("path %q accepted", p)
			}
		})
	}
}

func TestWriteAtomicLeavesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "other"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, payload := range []map[string]FileProjection{{"a": {Data: []byte("1"), Mode: 0o644}}, {}} {
		if _, err := writeAtomic(dir, payload, nil); err != nil {
			t.Fatal(err)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "other")); err != nil || string(b) != "keep" {
		t.Errorf("foreign file: %q, %v", b, err)
	}
}
