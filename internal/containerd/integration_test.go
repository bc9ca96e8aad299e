package containerd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	"golang.org/x/sys/unix"
	internalapi "k8s.io/cri-api/pkg/apis"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	criclient "k8s.io/cri-client/pkg"

	"github.com/hanok-dev/hanok/internal/datadir"
	"github.com/hanok-dev/hanok/internal/imagebuild"
)

// testImage serves as the sandbox image and the containers' image: busybox
// whose default command runs long enough to hold a pod's namespaces.
const testImage = "hanok.test/busybox:1"

// The whole runtime on a temp data dir: config, supervised containerd with
// the multicall shim, an imported image, a host-network pod over CRI with a
// container whose log we read, crictl against it, and a containerd SIGKILL
// that the supervisor repairs while the container keeps running.
func TestRuntimeEndToEnd(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: containerd, runc and overlay mounts")
	}
	img, err := imagebuild.Busybox()
	if err != nil {
		t.Skipf("no test image: %v", err)
	}
	img.Cmd = []string{"/bin/sleep", "3600"}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	base, err := os.MkdirTemp("", "hanok-containerd-")
	if err != nil {
		t.Fatal(err)
	}
	layout := datadir.New(base)
	t.Cleanup(func() { removeNode(t, layout) })

	bin := layout.BinDir()
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	buildRunc(t, filepath.Join(bin, "runc"))
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, filepath.Join(bin, ShimBinaryName)); err != nil {
		t.Fatal(err)
	}
	// A registry on 127.0.0.1, plain HTTP and behind a password, reached
	// only as a mirror of a name that resolves nowhere.
	reg := startRegistry(t)
	pushImage(t, reg, "hanok/pulled:1", img)
	registries := filepath.Join(base, "registries.yaml")
	err = os.WriteFile(registries, []byte(fmt.Sprintf(`
mirrors:
  %[1]s: {endpoint: ["http://%[2]s"]}
configs:
  "%[2]s": {auth: {username: %[3]s, password: %[4]s}}
`, mirroredRegistry, reg.host, registryUser, registryPassword)), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteConfig(layout, ConfigOptions{PauseImage: testImage, RegistriesFile: registries}); err != nil {
		t.Fatal(err)
	}

	// Not derived from ctx: containerd must outlive the test body for the
	// cleanups (registered later, so run earlier) that remove the pod.
	var (
		sup       *Supervisor
		stopSuper context.CancelFunc = func() {}
	)
	supervise := func() {
		t.Helper()
		var superCtx context.Context
		superCtx, stopSuper = context.WithCancel(context.Background())
		if sup, err = Supervise(superCtx, layout, self, []string{testContainerdEnv + "=1"}); err != nil {
			stopSuper()
			dumpLog(t, layout)
			t.Fatal(err)
		}
	}
	supervise()
	t.Cleanup(func() {
		stopSuper()
		sup.Wait()
		if t.Failed() {
			dumpLog(t, layout)
		}
	})
	socket := layout.ContainerdSocket()

	var tarball bytes.Buffer
	if err := imagebuild.WriteTo(&tarball, testImage, img); err != nil {
		t.Fatal(err)
	}
	names, err := ImportImage(ctx, socket, &tarball, ImportOptions{Pinned: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 1 || names[0] != testImage {
		t.Fatalf("imported %v, want [%s]", names, testImage)
	}

	rt, imgs := connect(ctx, t, socket)
	waitFor(t, "CRI runtime ready", func() bool {
		st, err := rt.Status(ctx, false)
		if err != nil {
			return false
		}
		for _, c := range st.GetStatus().GetConditions() {
			if c.Type == runtimeapi.RuntimeReady {
				return c.Status
			}
		}
		return false
	})
	st, err := imgs.ImageStatus(ctx, &runtimeapi.ImageSpec{Image: testImage}, false)
	if err != nil || st.Image == nil {
		t.Fatalf("CRI does not see the imported image: %v %v", st, err)
	}
	if !st.Image.Pinned {
		t.Errorf("imported image is not pinned")
	}

	pulled := mirroredRegistry + "/hanok/pulled:1"
	if _, err := imgs.PullImage(ctx, &runtimeapi.ImageSpec{Image: pulled}, nil, nil); err != nil {
		t.Fatalf("pulling %s through the plain-HTTP mirror: %v", pulled, err)
	}
	if reg.authorized.Load() == 0 {
		t.Errorf("the registry saw no authorized request")
	}
	if st, err := imgs.ImageStatus(ctx, &runtimeapi.ImageSpec{Image: pulled}, false); err != nil || st.Image == nil {
		t.Errorf("pulled image not listed: %v %v", st, err)
	}

	// A host-network pod: no CNI needed (and no hostname: it shares the
	// host's UTS namespace, and runc refuses a hostname there).
	podLogs := filepath.Join(layout.PodLogsDir(), "test_probe_uid1")
	if err := os.MkdirAll(podLogs, 0o755); err != nil {
		t.Fatal(err)
	}
	cgroupParent := fmt.Sprintf("/hanok-test-%d", os.Getpid())
	t.Cleanup(func() { removeCgroup(t, cgroupParent) })
	podLabels := map[string]string{podNameLabel: "probe", podNamespaceLabel: "test"}
	podCfg := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: "probe", Uid: "uid1", Namespace: "test"},
		LogDirectory: podLogs,
		Labels:       podLabels,
		Linux: &runtimeapi.LinuxPodSandboxConfig{CgroupParent: cgroupParent, SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
			NamespaceOptions: &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_NODE},
		}},
	}
	podID, err := rt.RunPodSandbox(ctx, podCfg, "")
	if err != nil {
		t.Fatalf("RunPodSandbox: %v", err)
	}
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := rt.StopPodSandbox(cctx, podID); err != nil {
			t.Errorf("StopPodSandbox: %v", err)
		}
		if err := rt.RemovePodSandbox(cctx, podID); err != nil {
			t.Errorf("RemovePodSandbox: %v", err)
		}
	})
	run := func(name string, cmd ...string) string {
		id, err := rt.CreateContainer(ctx, podID, &runtimeapi.ContainerConfig{
			Metadata: &runtimeapi.ContainerMetadata{Name: name},
			Image:    &runtimeapi.ImageSpec{Image: testImage},
			Command:  cmd,
			LogPath:  name + "_0.log",
			Labels:   podLabels,
		}, podCfg)
		if err != nil {
			t.Fatalf("CreateContainer %s: %v", name, err)
		}
		t.Cleanup(func() {
			cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_ = rt.StopContainer(cctx, id, 0)
			if err := rt.RemoveContainer(cctx, id); err != nil {
				t.Errorf("RemoveContainer %s: %v", name, err)
			}
		})
		if err := rt.StartContainer(ctx, id); err != nil {
			t.Fatalf("StartContainer %s: %v", name, err)
		}
		return id
	}

	echo := run("echo", "/bin/echo", "hello")
	waitFor(t, "echo to exit", func() bool {
		s, err := rt.ContainerStatus(ctx, echo, false)
		return err == nil && s.Status.State == runtimeapi.ContainerState_CONTAINER_EXITED
	})
	es, err := rt.ContainerStatus(ctx, echo, false)
	if err != nil {
		t.Fatal(err)
	}
	if es.Status.ExitCode != 0 {
		t.Errorf("echo exit code %d", es.Status.ExitCode)
	}
	logData, err := os.ReadFile(filepath.Join(podLogs, "echo_0.log"))
	if err != nil {
		t.Fatal(err)
	}
	if fields := strings.Fields(string(logData)); len(fields) != 4 || fields[1] != "stdout" || fields[2] != "F" || fields[3] != "hello" {
		t.Errorf("CRI log = %q, want \"<time> stdout F hello\"", logData)
	}

	sleeper := run("sleeper", "/bin/sleep", "3600")
	sleeperPID := containerPID(ctx, t, rt, sleeper)

	// crictl against the running containerd.
	crictl := func(args ...string) string {
		var out, errOut bytes.Buffer
		app := crictlApp(strings.NewReader("through stdin\n"), &out, &errOut)
		if err := app.RunContext(ctx, append([]string{"crictl", "-r", "unix://" + socket}, args...)); err != nil {
			t.Fatalf("crictl %v: %v (%s)", args, err, errOut.String())
		}
		return out.String()
	}
	rows := tableRows(crictl("ps", "-a"))
	if want := []string{"CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD ID", "POD"}; strings.Join(rows[0], "|") != strings.Join(want, "|") {
		t.Errorf("crictl ps header %q, want %q", rows[0], want)
	}
	got := map[string]string{}
	for _, r := range rows[1:] {
		if len(r) != 8 {
			t.Fatalf("crictl ps row %q: want 8 columns", r)
		}
		if r[1] != testImage || r[5] != "0" || r[6] != podID[:13] || r[7] != "probe" || !strings.HasSuffix(r[2], "ago") {
			t.Errorf("crictl ps row %q", r)
		}
		got[r[4]] = r[0] + " " + r[3]
	}
	if want := map[string]string{"echo": echo[:13] + " Exited", "sleeper": sleeper[:13] + " Running"}; len(got) != 2 || got["echo"] != want["echo"] || got["sleeper"] != want["sleeper"] {
		t.Errorf("crictl ps -a: %v, want %v", got, want)
	}
	if out := crictl("ps", "-q"); out != sleeper+"\n" {
		t.Errorf("crictl ps -q = %q, want only the running container", out)
	}
	if out := crictl("logs", echo[:8]); out != "hello\n" {
		t.Errorf("crictl logs = %q", out)
	}
	if out := crictl("exec", sleeper, "echo", "in", "there"); out != "in there\n" {
		t.Errorf("crictl exec = %q", out)
	}
	if out := crictl("exec", "-i", sleeper, "cat"); out != "through stdin\n" {
		t.Errorf("crictl exec -i (streaming server) = %q", out)
	}
	if out := crictl("pods"); !strings.Contains(out, podID[:13]) || !strings.Contains(out, "Ready") {
		t.Errorf("crictl pods:\n%s", out)
	}
	if out := crictl("images"); !strings.Contains(out, "hanok.test/busybox") {
		t.Errorf("crictl images:\n%s", out)
	}
	var inspect map[string]any
	if err := json.Unmarshal([]byte(crictl("inspect", sleeper)), &inspect); err != nil || inspect["status"] == nil {
		t.Errorf("crictl inspect: %v %v", inspect, err)
	}

	// ctr finds the node's socket from --data-dir, in namespace k8s.io.
	if out := captureStdout(t, func() error {
		return CtrMain(ctx, []string{"--data-dir", base, "images", "ls", "-q"})
	}); !strings.Contains(out, testImage+"\n") || !strings.Contains(out, pulled+"\n") {
		t.Errorf("ctr images ls -q:\n%s", out)
	}

	// containerd dies hard: the supervisor starts a new one, which finds
	// the same container still running (its shim never noticed).
	oldPID := sup.PID()
	if err := syscall.Kill(oldPID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "containerd to be restarted", func() bool {
		return sup.Restarts() == 1 && sup.PID() != 0 && sup.PID() != oldPID
	})
	waitFor(t, "CRI back after the restart", func() bool {
		s, err := rt.ContainerStatus(ctx, sleeper, false)
		return err == nil && s.Status.State == runtimeapi.ContainerState_CONTAINER_RUNNING
	})
	if pid := containerPID(ctx, t, rt, sleeper); pid != sleeperPID {
		t.Errorf("container process %d became %d across the containerd restart", sleeperPID, pid)
	}
	if err := syscall.Kill(sleeperPID, 0); err != nil {
		t.Errorf("container process gone: %v", err)
	}

	// The agent stops (containerd gets SIGTERM) and starts again: the
	// container never stops, and the new containerd adopts it.
	stopSuper()
	sup.Wait()
	if err := syscall.Kill(sleeperPID, 0); err != nil {
		t.Fatalf("container process gone with containerd stopped: %v", err)
	}
	supervise()
	waitFor(t, "CRI back after a new agent start", func() bool {
		s, err := rt.ContainerStatus(ctx, sleeper, false)
		return err == nil && s.Status.State == runtimeapi.ContainerState_CONTAINER_RUNNING
	})
	if pid := containerPID(ctx, t, rt, sleeper); pid != sleeperPID {
		t.Errorf("container process %d became %d across an agent restart", sleeperPID, pid)
	}
}

// mirroredRegistry is a registry name that resolves nowhere: pulls from it
// can only succeed through its mirror.
const (
	mirroredRegistry = "registry.hanok.test"
	registryUser     = "hanok"
	registryPassword = "s3cret"
)

type testRegistry struct {
	host       string
	authorized atomic.Int32
}

// startRegistry serves go-containerregistry's registry on 127.0.0.1 over
// plain HTTP, with basic auth.
func startRegistry(t *testing.T) *testRegistry {
	r := &testRegistry{}
	handler := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		user, pass, ok := req.BasicAuth()
		if !ok || user != registryUser || pass != registryPassword {
			w.Header().Set("WWW-Authenticate", `Basic realm="hanok-test"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		r.authorized.Add(1)
		handler.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.host = srv.Listener.Addr().String()
	return r
}

// pushImage uploads an image with the registry API itself (blobs, then
// the manifest), authenticated.
func pushImage(t *testing.T, r *testRegistry, repoTag string, img imagebuild.Image) {
	t.Helper()
	built, err := imagebuild.Build(img)
	if err != nil {
		t.Fatal(err)
	}
	repo, tag, _ := strings.Cut(repoTag, ":")
	base := "http://" + r.host + "/v2/" + repo
	do := func(method, url, contentType string, body []byte) *http.Response {
		req, err := http.NewRequest(method, url, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.SetBasicAuth(registryUser, registryPassword)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %s", method, url, resp.Status)
		}
		return resp
	}
	blob := func(data []byte, digest string) {
		loc := do(http.MethodPost, base+"/blobs/uploads/", "", nil).Header.Get("Location")
		if !strings.HasPrefix(loc, "http") {
			loc = "http://" + r.host + loc
		}
		sep := "?"
		if strings.Contains(loc, "?") {
			sep = "&"
		}
		do(http.MethodPut, loc+sep+"digest="+digest, "application/octet-stream", data)
	}
	layers, err := built.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		rc, err := l.Compressed()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		d, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		blob(data, d.String())
	}
	cfg, err := built.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfgDigest, err := built.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	blob(cfg, cfgDigest.String())
	manifest, err := built.RawManifest()
	if err != nil {
		t.Fatal(err)
	}
	mt, err := built.MediaType()
	if err != nil {
		t.Fatal(err)
	}
	do(http.MethodPut, base+"/manifests/"+tag, string(mt), manifest)
	r.authorized.Store(0)
}

func connect(ctx context.Context, t *testing.T, socket string) (internalapi.RuntimeService, internalapi.ImageManagerService) {
	t.Helper()
	ep := "unix://" + socket
	rt, err := criclient.NewRemoteRuntimeServiceBuilder().WithEndpoint(ep).WithConnectionTimeout(10 * time.Second).Build(ctx)
	if err != nil {
		t.Fatal(err)
	}
	imgs, err := criclient.NewRemoteImageServiceBuilder().WithEndpoint(ep).WithConnectionTimeout(10 * time.Second).Build(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return rt, imgs
}

// containerPID reads the container's process id from CRI's verbose info.
func containerPID(ctx context.Context, t *testing.T, rt internalapi.RuntimeService, id string) int {
	t.Helper()
	s, err := rt.ContainerStatus(ctx, id, true)
	if err != nil {
		t.Fatal(err)
	}
	var info struct{ Pid int }
	if err := json.Unmarshal([]byte(s.Info["info"]), &info); err != nil || info.Pid == 0 {
		t.Fatalf("no pid in %q: %v", s.Info["info"], err)
	}
	return info.Pid
}

// tableRows splits crictl's table on runs of 2+ spaces (cells hold single
// spaces, as in "POD ID" and "2 seconds ago").
func tableRows(out string) [][]string {
	var rows [][]string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var cells []string
		for _, c := range strings.Split(sc.Text(), "  ") {
			if c = strings.TrimSpace(c); c != "" {
				cells = append(cells, c)
			}
		}
		rows = append(rows, cells)
	}
	return rows
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// buildRunc builds runc from the pinned module as the bundle does (static,
// with seccomp); without libseccomp it falls back to no seccomp.
func buildRunc(t *testing.T, out string) {
	t.Helper()
	build := func(tags string) ([]byte, error) {
		cmd := exec.Command("go", "build", "-tags", tags, "-ldflags", "-extldflags -static", "-o", out, "github.com/opencontainers/runc")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
		return cmd.CombinedOutput()
	}
	if msg, err := build("seccomp netgo osusergo"); err != nil {
		t.Logf("runc with seccomp did not build (%v: %s); building without", err, msg)
		if msg, err := build("netgo osusergo"); err != nil {
			t.Fatalf("building runc: %v: %s", err, msg)
		}
	}
}

// removeNode unmounts whatever containerd left under the node's folders and
// removes them.
func removeNode(t *testing.T, layout datadir.Layout) {
	for _, mp := range mountsUnder(layout.DataDir, layout.RunDir()) {
		if err := unix.Unmount(mp, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", mp, err)
		}
	}
	for _, dir := range []string{layout.RunDir(), layout.DataDir} {
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("removing %s: %v", dir, err)
		}
	}
}

// mountsUnder lists mount points below the given folders, deepest first.
func mountsUnder(dirs ...string) []string {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		for _, d := range dirs {
			if f[4] == d || strings.HasPrefix(f[4], d+"/") {
				out = append(out, f[4])
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// captureStdout runs f with os.Stdout going to a pipe (ctr prints there).
func captureStdout(t *testing.T, f func() error) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = w
	out := make(chan string)
	go func() {
		data, _ := io.ReadAll(r)
		out <- string(data)
	}()
	err = f()
	os.Stdout = saved
	w.Close()
	got := <-out
	r.Close()
	if err != nil {
		t.Fatalf("%v (output: %s)", err, got)
	}
	return got
}

// removeCgroup removes the pods' cgroup parent in every hierarchy (v1
// controllers and the v2 mount), once containerd has removed the pods'.
func removeCgroup(t *testing.T, name string) {
	dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", name))
	dirs = append(dirs, filepath.Join("/sys/fs/cgroup", name))
	for _, d := range dirs {
		if err := os.Remove(d); err != nil && !os.IsNotExist(err) {
			t.Errorf("removing cgroup %s: %v", d, err)
		}
	}
}

func dumpLog(t *testing.T, layout datadir.Layout) {
	data, err := os.ReadFile(layout.ContainerdLog())
	if err != nil {
		return
	}
	if len(data) > 8000 {
		data = data[len(data)-8000:]
	}
	t.Logf("containerd log (tail):\n%s", data)
}
