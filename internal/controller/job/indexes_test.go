package job

import (
	"fmt"
	"testing"
)

func TestIndexes(t *testing.T) {
	cases := []struct {
		in          string
		completions int
		want        string
	}{
		{"", 5, ""},
		{"0", 5, "0"},
		{"0,1,2,4", 5, "0-2,4"},
		{"1-3,7", 5, "1-3"},
		{"3,1,x,2-", 5, "1,3"},
		{"0-1", 5, "0-1"},
	}
	for _, c := range cases {
		if got := ParseIndexes(c.in, c.completions).String(); got != c.want {
			t.Errorf("%q/%d: got %q, want %q", c.in, c.completions, got, c.want)
		}
	}
	got := Missing(Indexes{0: true, 2: true}, Indexes{1: true}, 6, 2)
	if fmt.Sprint(got) != "[3 4]" {
		t.Errorf("missing %v", got)
	}
}
