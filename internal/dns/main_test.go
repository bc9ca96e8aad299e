package dns

import (
	"os"
	"testing"

	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}
