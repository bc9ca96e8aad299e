package manifest

import (
	"bytes"
	"strings"
	"testing"
)

func digest(c byte) string { return strings.Repeat(string(c), 64) }

func TestHashNamesTheContent(t *testing.T) {
	a := Manifest{Inputs: "x", Binaries: []Binary{
		{Name: "runc", File: "runc.zst", SHA256: digest('a'), Size: 1},
		{Name: "bridge", File: "bridge.zst", SHA256: digest('b'), Size: 2},
	}}
	reordered := Manifest{Inputs: "other inputs", Binaries: []Binary{a.Binaries[1], a.Binaries[0]}}
	if a.Hash() != reordered.Hash() {
		t.Error("the same binaries in another order or from other inputs changed the hash")
	}
	changed := Manifest{Binaries: []Binary{a.Binaries[0], {Name: "bridge", File: "bridge.zst", SHA256: digest('c'), Size: 2}}}
	if a.Hash() == changed.Hash() {
		t.Error("a changed binary kept the hash")
	}
	if len(a.Hash()) != 16 {
		t.Errorf("hash %q, want 16 hex digits", a.Hash())
	}
}

func TestReadRoundTripAndValidation(t *testing.T) {
	good := Manifest{Inputs: "k", PauseImage: PauseImage, Binaries: []Binary{{Name: "runc", File: "runc.zst", SHA256: digest('a'), Size: 3}}}
	data, err := good.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Read(bytes.NewReader(data))
	if err != nil || back.Hash() != good.Hash() || back.PauseImage != PauseImage || back.Inputs != "k" {
		t.Fatalf("read back %+v, %v", back, err)
	}
	bad := []Binary{
		{Name: "../runc", File: "runc.zst", SHA256: digest('a')},
		{Name: "runc", File: "", SHA256: digest('a')},
		{Name: "runc", File: "runc.zst", SHA256: "short"},
	}
	for _, b := range bad {
		data, _ := Manifest{Binaries: []Binary{b}}.Marshal()
		if _, err := Read(bytes.NewReader(data)); err == nil {
			t.Errorf("entry %+v was accepted", b)
		}
	}
	if _, err := Read(strings.NewReader("{")); err == nil {
		t.Error("broken JSON was accepted")
	}
}
