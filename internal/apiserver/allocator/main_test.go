package allocator

import (
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"testing"

	"github.com/hanok-dev/hanok/internal/apiserver/storage/etcdtest"
	clientv3 "go.etcd.io/etcd/client/v3"
)

var testClient *clientv3.Client

func TestMain(m *testing.M) {
	srv, err := etcdtest.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot start etcd for tests:", err)
		os.Exit(1)
	}
	testClient = srv.Client
	code := m.Run()
	srv.Stop()
	os.Exit(code)
}

var seq atomic.Int64

// prefix gives each test its own key space in the shared etcd.
func prefix() string { return fmt.Sprintf("/test-%d/", seq.Add(1)) }

func cidr(t testing.TB, s string) *net.IPNet {
	t.Helper()
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func newIP(t testing.TB, s string) *etcdAllocator {
	t.Helper()
	a, err := newIPAllocator(testClient.KV, prefix(), cidr(t, s))
	if err != nil {
		t.Fatal(err)
	}
	return a
}
