package kubelet

import (
	"os"
	"testing"

	"github.com/hanok-dev/hanok/internal/testserver"
)

// The integration tests share one API server; each works in its own
// namespace with its own node name.
var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}
