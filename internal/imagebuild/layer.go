package imagebuild

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// newLayer wraps an uncompressed layer tar; the gzip form is computed once
// and kept, since digesting and writing both need it.
func newLayer(uncompressed []byte) (v1.Layer, error) {
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(uncompressed)), nil
	}, tarball.WithCompressedCaching)
}

// layerTar writes the files as a tar, parents first, in path order, with
// every implied parent folder present.
func layerTar(files []File) ([]byte, error) {
	entries := map[string]File{}
	for _, f := range files {
		p, err := cleanPath(f.Path)
		if err != nil {
			return nil, err
		}
		f.Path = p
		entries[p] = f
	}
	for p := range entries {
		for dir := path.Dir(p); dir != "."; dir = path.Dir(dir) {
			if _, ok := entries[dir]; !ok {
				entries[dir] = Dir(dir, 0o755)
			} else if !isDir(entries[dir]) {
				return nil, fmt.Errorf("%s is not a folder but holds %s", "/"+dir, "/"+p)
			}
		}
	}
	paths := make([]string, 0, len(entries))
	for p := range entries {
		paths = append(paths, p)
	}
	sort.Strings(paths)

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, p := range paths {
		f := entries[p]
		hdr := header(f)
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("/%s: %w", p, err)
		}
		if hdr.Typeflag == tar.TypeReg {
			if _, err := tw.Write(f.Data); err != nil {
				return nil, fmt.Errorf("/%s: %w", p, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// cleanPath turns "/usr/bin/x" into "usr/bin/x" and refuses paths that
// leave the root.
func cleanPath(p string) (string, error) {
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("image path %q is not absolute", p)
	}
	clean := strings.TrimPrefix(path.Clean(p), "/")
	if clean == "" {
		return "", fmt.Errorf("image path %q names the root", p)
	}
	return clean, nil
}

func isDir(f File) bool { return f.Mode&fs.ModeDir != 0 }

func isLink(f File) bool { return f.Mode&fs.ModeSymlink != 0 || f.Link != "" }

// header is the tar header of one entry; times are fixed so builds reproduce.
func header(f File) *tar.Header {
	hdr := &tar.Header{
		Name:    f.Path,
		Uid:     f.UID,
		Gid:     f.GID,
		ModTime: epoch,
	}
	perm := int64(f.Mode.Perm())
	if f.Mode&fs.ModeSetuid != 0 {
		perm |= 0o4000
	}
	if f.Mode&fs.ModeSetgid != 0 {
		perm |= 0o2000
	}
	if f.Mode&fs.ModeSticky != 0 {
		perm |= 0o1000
	}
	switch {
	case isDir(f):
		hdr.Typeflag = tar.TypeDir
		hdr.Name += "/"
		if f.Mode.Perm() == 0 {
			perm |= 0o755
		}
	case isLink(f):
		hdr.Typeflag = tar.TypeSymlink
		hdr.Linkname = f.Link
		perm = 0o777
	default:
		hdr.Typeflag = tar.TypeReg
		hdr.Size = int64(len(f.Data))
		if f.Mode.Perm() == 0 {
			perm |= 0o644
		}
	}
	hdr.Mode = perm
	return hdr
}
