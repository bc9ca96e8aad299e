package server

import (
	"os"
	"path/filepath"
	"testing"
)

func TestOpenAuditLog(t *testing.T) {
	w, closeLog, err := openAuditLog("")
	if err != nil || w != nil {
		t.Fatalf("no path: %v, %v", w, err)
	}
	closeLog()

	path := filepath.Join(t.TempDir(), "logs", "audit.log") // the directory is created
	w, closeLog, err = openAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	closeLog()
	if b, err := os.ReadFile(path); err != nil || string(b) != "{}\n" {
		t.Errorf("file %q, %v", b, err)
	}
}
