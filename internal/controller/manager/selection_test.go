package manager

import (
	"reflect"
	"testing"
)

func TestEnabled(t *testing.T) {
	entries := []Entry{{Name: "a"}, {Name: "b"}, {Name: "off", Off: true}}
	tests := []struct {
		selection []string
		want      []string
		err       bool
	}{
		{[]string{"*"}, []string{"a", "b"}, false},
		{[]string{"*", "-b"}, []string{"a"}, false},
		{[]string{"*", "off"}, []string{"a", "b", "off"}, false},
		{[]string{"b"}, []string{"b"}, false},
		{[]string{"-a"}, nil, false},
		{[]string{"*", "-a", "a"}, []string{"b"}, false}, // disabling wins, as upstream
		{[]string{"nope"}, nil, true},
		{[]string{"*", "-nope"}, nil, true},
	}
	for _, tt := range tests {
		got, err := enabled(entries, tt.selection)
		if (err != nil) != tt.err {
			t.Errorf("%v: error %v, want error %v", tt.selection, err, tt.err)
			continue
		}
		var names []string
		for _, e := range got {
			names = append(names, e.Name)
		}
		if !reflect.DeepEqual(names, tt.want) {
			t.Errorf("%v: enabled %v, want %v", tt.selection, names, tt.want)
		}
	}
}

// TestRegistry checks every entry can be named and runs as an account the
// bootstrap policy knows.
func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range Controllers {
		if e.Name == "" || e.Account == "" || e.New == nil {
			t.Errorf("incomplete entry %+v", e)
		}
		if seen[e.Name] {
			t.Errorf("%s listed twice", e.Name)
		}
		seen[e.Name] = true
	}
}
