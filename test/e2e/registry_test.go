package e2e

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/vishvananda/netns"
)

// registryPort is where the in-process registry listens, on 127.0.0.1 of
// the node's own namespace.
const registryPort = 5000

// serveRegistryInNode serves an in-memory registry on 127.0.0.1 inside the
// node's namespace: the socket is opened from a thread switched into the
// namespace, then served from the test process. registries.yaml names it
// as a plain-HTTP endpoint.
func serveRegistryInNode(t *testing.T, s *server, dir string) http.Handler {
	t.Helper()
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	l := listenInNetns(t, s.host.name, fmt.Sprintf("127.0.0.1:%d", registryPort))
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	conf := fmt.Sprintf("mirrors:\n  \"127.0.0.1:%d\":\n    endpoint:\n      - \"http://127.0.0.1:%d\"\n", registryPort, registryPort)
	if err := os.WriteFile(filepath.Join(dir, "registries.yaml"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return h
}

func listenInNetns(t *testing.T, nsName, addr string) net.Listener {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	target, err := netns.GetFromName(nsName)
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	if err := netns.Set(target); err != nil {
		t.Fatal(err)
	}
	l, lerr := net.Listen("tcp", addr)
	if err := netns.Set(orig); err != nil {
		// A thread left in the wrong namespace must not serve other work.
		panic(err)
	}
	if lerr != nil {
		t.Fatal(lerr)
	}
	return l
}

// pushImage pushes an image tarball straight into the registry handler.
func pushImage(t *testing.T, h http.Handler, tarPath, ref string) {
	t.Helper()
	img, err := tarball.ImageFromPath(tarPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img, remote.WithTransport(handlerTransport{h})); err != nil {
		t.Fatal(err)
	}
}

// handlerTransport serves requests from a handler, with no network.
type handlerTransport struct{ h http.Handler }

func (ht handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	if req.Body == nil { // a server always sees a body; handlers rely on it
		req.Body = http.NoBody
	}
	ht.h.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

func testRegistryPull(t *testing.T, s *server, ns string, h http.Handler) {
	ref := fmt.Sprintf("127.0.0.1:%d/e2e/busybox:pulled", registryPort)
	pushImage(t, h, filepath.Join(s.imagesDir(), "busybox.tar"), ref)
	s.mustKubectl("-n", ns, "run", "pulled", "--image", ref, "--image-pull-policy", "Always", "--restart", "Never", "--", "echo", "pulled fine")
	s.waitPodField(ns, "pulled", "{.status.phase}", "Succeeded", 90*time.Second)
	contains(t, s.mustKubectl("-n", ns, "logs", "pulled"), "pulled fine")
	contains(t, s.mustKubectl("-n", ns, "get", "events", "--field-selector", "involvedObject.name=pulled"), "Pulled")
	s.mustKubectl("-n", ns, "delete", "pod", "pulled")
}
