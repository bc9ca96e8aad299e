package volume

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	v1 "k8s.io/api/core/v1"
)

// resolveSubPath finds subPath inside the volume at base and returns the
// real (symlink-free) host path to mount. It refuses absolute paths, ".."
// elements and symlinks that lead outside the volume (a container could
// plant one in a shared emptyDir to reach the host). A missing subPath is
// created as a folder with the volume root's mode when the volume is
// writable, as upstream.
//
// The check and the later bind mount by the runtime are not one atomic step;
// upstream closes that window by bind-mounting through /proc/self/fd. This
// does not: a container racing to swap a checked folder for a symlink
// between the two could still escape.
func resolveSubPath(base, subPath string, create bool) (string, error) {
	if filepath.IsAbs(subPath) {
		return "", fmt.Errorf("subPath %q must be a relative path", subPath)
	}
	for _, elem := range strings.Split(filepath.ToSlash(subPath), "/") {
		if elem == ".." {
			return "", fmt.Errorf("subPath %q must not contain \"..\"", subPath)
		}
	}
	realBase, err := filepath.EvalSymlinks(base)
	if err != nil {
		return "", fmt.Errorf("volume path %s: %w", base, err)
	}

	full := filepath.Join(base, subPath)
	// Walk up to the deepest part that exists and resolve that.
	existing, missing := full, ""
	for {
		if _, err := os.Lstat(existing); err == nil {
			break
		}
		if existing == base || existing == filepath.Dir(existing) {
			break
		}
		missing = filepath.Join(filepath.Base(existing), missing)
		existing = filepath.Dir(existing)
	}
	real, err := filepath.EvalSymlinks(existing)
	if err != nil {
		return "", fmt.Errorf("subPath %q: %w", subPath, err)
	}
	if !within(realBase, real) {
		return "", fmt.Errorf("subPath %q resolves to %s, outside the volume", subPath, real)
	}
	if missing == "" {
		return real, nil
	}
	if !create {
		return "", fmt.Errorf("subPath %q does not exist in the read-only volume", subPath)
	}
	info, err := os.Stat(realBase)
	if err != nil {
		return "", err
	}
	target := filepath.Join(real, missing)
	if err := os.MkdirAll(target, info.Mode().Perm()); err != nil {
		return "", fmt.Errorf("creating subPath %q: %w", subPath, err)
	}
	// The created folders may have been raced into symlinks; check again.
	final, err := filepath.EvalSymlinks(target)
	if err != nil {
		return "", fmt.Errorf("subPath %q: %w", subPath, err)
	}
	if !within(realBase, final) {
		return "", fmt.Errorf("subPath %q resolves to %s, outside the volume", subPath, final)
	}
	return final, nil
}

func within(base, p string) bool {
	return p == base || strings.HasPrefix(p, base+string(filepath.Separator))
}

// expandEnv replaces $(VAR) by its value as the kubelet does for
// subPathExpr: $$ is a literal $, and an unknown $(VAR) stays as written.
func expandEnv(s string, env func(string) (string, bool)) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			name := s[i+2 : i+2+end]
			if v, ok := lookup(env, name); ok {
				b.WriteString(v)
			} else {
				b.WriteString(s[i : i+3+end])
			}
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
	return b.String()
}

func lookup(env func(string) (string, bool), name string) (string, bool) {
	if env == nil {
		return "", false
	}
	return env(name)
}

// simpleEnv is the container's env as far as it can be known from the pod
// alone: literal values and fieldRefs (the usual subPathExpr source,
// e.g. metadata.name). Later entries win, as in the container.
func simpleEnv(pod *v1.Pod, c *v1.Container) func(string) (string, bool) {
	vals := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			vals[e.Name] = expandEnv(e.Value, func(n string) (string, bool) { v, ok := vals[n]; return v, ok })
		case e.ValueFrom.FieldRef != nil:
			if v, err := PodFieldValue(pod, e.ValueFrom.FieldRef.FieldPath); err == nil {
				vals[e.Name] = v
			}
		}
	}
	return func(n string) (string, bool) { v, ok := vals[n]; return v, ok }
}
