package containerd

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// testContainerdEnv marks the test binary started as `containerd` by the
// supervisor in the integration test.
const testContainerdEnv = "HANOK_TEST_CONTAINERD"

// TestMain makes the test binary a multicall binary like hanok: the shim
// when run as containerd-shim-runc-v2 (or re-executed by the shim), and
// containerd when the supervisor starts it; otherwise the tests.
func TestMain(m *testing.M) {
	if IsShim() {
		ShimMain()
	}
	if len(os.Args) > 1 && os.Args[1] == "containerd" && os.Getenv(testContainerdEnv) == "1" {
		if err := Main(context.Background(), os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "containerd:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
