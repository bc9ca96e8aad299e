package manager

import (
	"fmt"
	"strings"
)

// enabled tells which entries run, from upstream's --controllers syntax:
// "*" is every entry not Off, "name" turns one on, "-name" turns one off;
// an explicit name wins over "*". An unknown name is an error, so a typo
// does not silently run nothing.
func enabled(entries []Entry, selection []string) ([]Entry, error) {
	known := map[string]bool{}
	for _, e := range entries {
		known[e.Name] = true
	}
	star := false
	on, off := map[string]bool{}, map[string]bool{}
	for _, s := range selection {
		s = strings.TrimSpace(s)
		switch {
		case s == "*":
			star = true
		case strings.HasPrefix(s, "-"):
			off[s[1:]] = true
		default:
			on[s] = true
		}
	}
	for name := range on {
		if !known[name] {
			return nil, fmt.Errorf("controller manager: unknown controller %q", name)
		}
	}
	for name := range off {
		if !known[name] {
			return nil, fmt.Errorf("controller manager: unknown controller %q", name)
		}
	}
	var out []Entry
	for _, e := range entries {
		switch {
		case off[e.Name]:
		case on[e.Name], star && !e.Off:
			out = append(out, e)
		}
	}
	return out, nil
}
