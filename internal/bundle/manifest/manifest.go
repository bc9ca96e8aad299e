// Package manifest is the contract between hanok's build, which fills
// internal/bundle/assets (the mkbundle tool), and the running binary, which
// extracts them (package bundle): the list of shipped binaries with their
// digests, the pause image's reference and the key of the build's inputs.
//
// It is its own small package so the build tool can share it without
// embedding the very assets it writes.
package manifest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// FileName is the manifest's name inside the assets folder.
const FileName = "manifest.json"

// PauseImage is the reference of the pause image built from
// internal/bundle/pause and shipped inside hanok.
const PauseImage = "ghcr.io/hanok-dev/pause:3.10"

// PauseImageFile is the pause image's docker-archive inside the assets.
const PauseImageFile = "pause.tar"

// Manifest describes one build of the assets.
type Manifest struct {
	// Inputs is a digest of everything the assets were built from (module
	// versions, toolchain, sources); an unchanged key skips the rebuild.
	Inputs string `json:"inputs"`
	// PauseImage is the reference pause.tar was tagged with.
	PauseImage string `json:"pauseImage"`
	// Binaries are extracted to <data-dir>/data/<hash>/bin.
	Binaries []Binary `json:"binaries"`
}

// Binary is one shipped executable.
type Binary struct {
	// Name is the executable's name once extracted ("runc").
	Name string `json:"name"`
	// File is the asset holding it, zstd-compressed ("runc.zst").
	File string `json:"file"`
	// SHA256 and Size describe the extracted (uncompressed) executable.
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Hash names a set of binaries: equal contents give equal hashes whatever
// the inputs key says, so a rebuild that changes nothing reuses the
// extracted folder.
func (m Manifest) Hash() string {
	lines := make([]string, 0, len(m.Binaries))
	for _, b := range m.Binaries {
		lines = append(lines, b.Name+" "+b.SHA256)
	}
	sort.Strings(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:])[:16]
}

// Read parses a manifest.
func Read(r io.Reader) (Manifest, error) {
	var m Manifest
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return Manifest{}, fmt.Errorf("bundle manifest: %w", err)
	}
	for _, b := range m.Binaries {
		if b.Name == "" || strings.ContainsAny(b.Name, "/\\") || b.File == "" || len(b.SHA256) != 64 {
			return Manifest{}, fmt.Errorf("bundle manifest: bad entry %+v", b)
		}
	}
	return m, nil
}

// Marshal is the manifest's file content.
func (m Manifest) Marshal() ([]byte, error) {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// Has says whether the bundle carries a binary of that name.
func (m Manifest) Has(name string) bool {
	for _, b := range m.Binaries {
		if b.Name == name {
			return true
		}
	}
	return false
}
