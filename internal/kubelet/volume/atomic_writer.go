package volume

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// FileProjection is one file of an API-data volume (configMap, secret,
// downwardAPI, projected): its content, permission bits and, for
// service-account tokens of pods running as one user, its owner.
type FileProjection struct {
	Data   []byte
	Mode   int32
	FsUser *int64
}

const (
	dataDirName    = "..data"     // symlink to the current timestamped folder
	newDataDirName = "..data_tmp" // the next ..data, renamed over it
)

// writeAtomic makes dir show exactly payload, the way upstream's AtomicWriter
// does: files go into a fresh timestamped folder, the "..data" symlink is
// swapped to it by rename, and every user-visible top-level name is a
// symlink into "..data". A reader inside the container therefore sees
// either the old or the new set of files, never a mix. It reports whether
// anything was written; an unchanged payload writes nothing, so a periodic
// re-Mount costs only a read. setPerms (may be nil) runs on the new
// timestamped folder before it becomes visible.
func writeAtomic(dir string, payload map[string]FileProjection, setPerms func(tsDir string) error) (bool, error) {
	clean, err := validatePayload(payload)
	if err != nil {
		return false, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, err
	}

	oldTs, err := os.Readlink(filepath.Join(dir, dataDirName))
	if err != nil && !os.IsNotExist(err) {
		return false, err
	}
	if oldTs != "" {
		same, err := sameContent(filepath.Join(dir, oldTs), clean)
		if err != nil {
			return false, err
		}
		if same {
			// Content is current; make sure the visible links exist (a
			// crash between the swap and the links would leave them out).
			return false, linkVisibleNames(dir, clean)
		}
	}

	tsDir, err := os.MkdirTemp(dir, time.Now().UTC().Format("..2006_01_02_15_04_05."))
	if err != nil {
		return false, err
	}
	if err := writeFiles(tsDir, clean); err != nil {
		os.RemoveAll(tsDir)
		return false, err
	}
	if setPerms != nil {
		if err := setPerms(tsDir); err != nil {
			os.RemoveAll(tsDir)
			return false, err
		}
	}

	tmpLink := filepath.Join(dir, newDataDirName)
	if err := os.Remove(tmpLink); err != nil && !os.IsNotExist(err) {
		return false, err
	}
	if err := os.Symlink(filepath.Base(tsDir), tmpLink); err != nil {
		os.RemoveAll(tsDir)
		return false, err
	}
	if err := os.Rename(tmpLink, filepath.Join(dir, dataDirName)); err != nil {
		os.Remove(tmpLink)
		os.RemoveAll(tsDir)
		return false, err
	}

	if err := linkVisibleNames(dir, clean); err != nil {
		return true, err
	}
	if err := removeStaleNames(dir, clean); err != nil {
		return true, err
	}
	if oldTs != "" && oldTs != filepath.Base(tsDir) {
		if err := os.RemoveAll(filepath.Join(dir, oldTs)); err != nil {
			return true, err
		}
	}
	return true, nil
}

// validatePayload cleans every path and refuses any that could leave the
// volume or collide with the writer's own "..*" names.
func validatePayload(payload map[string]FileProjection) (map[string]FileProjection, error) {
	out := make(map[string]FileProjection, len(payload))
	for p, f := range payload {
		if err := validateRelativePath(p); err != nil {
			return nil, err
		}
		if strings.HasPrefix(p, "..") {
			return nil, fmt.Errorf("invalid path %q: must not start with \"..\"", p)
		}
		clean := filepath.Clean(p)
		if clean == "." {
			return nil, fmt.Errorf("invalid path %q: names no file", p)
		}
		out[clean] = f
	}
	return out, nil
}

// validateRelativePath refuses empty and absolute paths and ".." elements.
func validateRelativePath(p string) error {
	if p == "" {
		return fmt.Errorf("invalid path: must not be empty")
	}
	if filepath.IsAbs(p) {
		return fmt.Errorf("invalid path %q: must be relative", p)
	}
	for _, elem := range strings.Split(filepath.ToSlash(p), "/") {
		if elem == ".." {
			return fmt.Errorf("invalid path %q: must not contain \"..\"", p)
		}
	}
	return nil
}

// sameContent reports whether tsDir holds exactly the payload's files with
// the same bytes (as upstream, modes are not compared: they come from the
// pod spec, which cannot change them on a running pod).
func sameContent(tsDir string, payload map[string]FileProjection) (bool, error) {
	seen := 0
	err := filepath.WalkDir(tsDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(tsDir, path)
		want, ok := payload[rel]
		if !ok {
			return errDiffers
		}
		got, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want.Data) {
			return errDiffers
		}
		seen++
		return nil
	})
	switch {
	case err == errDiffers:
		return false, nil
	case os.IsNotExist(err):
		return false, nil
	case err != nil:
		return false, err
	}
	return seen == len(payload), nil
}

var errDiffers = fmt.Errorf("content differs")

func writeFiles(tsDir string, payload map[string]FileProjection) error {
	if err := os.Chmod(tsDir, 0o755); err != nil {
		return err
	}
	for p, f := range payload {
		full := filepath.Join(tsDir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, f.Data, fs.FileMode(f.Mode)&fs.ModePerm); err != nil {
			return err
		}
		// WriteFile's mode is filtered by the umask; the pod asked for
		// exactly these bits.
		if err := os.Chmod(full, fs.FileMode(f.Mode)&fs.ModePerm); err != nil {
			return err
		}
		if f.FsUser != nil {
			if err := os.Chown(full, int(*f.FsUser), -1); err != nil {
				return err
			}
		}
	}
	return nil
}

// topLevelNames are the first path elements of the payload: what the
// container sees in the volume's root.
func topLevelNames(payload map[string]FileProjection) []string {
	set := map[string]bool{}
	for p := range payload {
		set[strings.SplitN(filepath.ToSlash(p), "/", 2)[0]] = true
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func linkVisibleNames(dir string, payload map[string]FileProjection) error {
	for _, name := range topLevelNames(payload) {
		link := filepath.Join(dir, name)
		target := filepath.Join(dataDirName, name)
		cur, err := os.Readlink(link)
		if err == nil && cur == target {
			continue
		}
		if err := os.RemoveAll(link); err != nil {
			return err
		}
		if err := os.Symlink(target, link); err != nil {
			return err
		}
	}
	return nil
}

// removeStaleNames drops visible links that are no longer in the payload.
// Only symlinks into ..data are touched: nothing else in the folder is ours.
func removeStaleNames(dir string, payload map[string]FileProjection) error {
	keep := map[string]bool{}
	for _, n := range topLevelNames(payload) {
		keep[n] = true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, "..") || keep[name] || e.Type()&fs.ModeSymlink == 0 {
			continue
		}
		target, err := os.Readlink(filepath.Join(dir, name))
		if err != nil || !strings.HasPrefix(target, dataDirName+"/") {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}
