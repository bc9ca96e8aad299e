package datadir

import "testing"

func TestRunDirIsDistinctPerDataDir(t *testing.T) {
	cases := []struct {
		dataDir, want string
	}{
		{"", "/run/hanok"},
		{Default, "/run/hanok"},
	}
	for _, c := range cases {
		if got := New(c.dataDir).RunDir(); got != c.want {
			t.Errorf("RunDir(%q) = %q, want %q", c.dataDir, got, c.want)
		}
	}
	a, b := New("/tmp/node-a").ContainerdSocket(), New("/tmp/node-b").ContainerdSocket()
	if a == b {
		t.Fatalf("two data dirs share the socket %s", a)
	}
	if len(a) > 100 {
		t.Fatalf("socket path %q is too long for a unix socket", a)
	}
}
