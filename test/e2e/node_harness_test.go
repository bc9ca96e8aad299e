package e2e

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/hanok-dev/hanok/internal/datadir"
)

// hostNS is a network namespace standing for one host, joined to the
// test's own root namespace by a veth pair on a private /30 of the test's.
type hostNS struct {
	name     string
	hostIP   net.IP // our end, in the test's namespace
	nodeIP   net.IP // the node's end, inside the namespace
	hostLink string
}

// needRoot skips tests that run real nodes where that cannot work at all.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("real nodes need root (network namespaces, mounts, cgroups); CI runs as root")
	}
	for _, tool := range []string{"ip", "nsenter", "iptables"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("real nodes need %s (iproute2, util-linux, iptables; .ci/run installs them)", tool)
		}
	}
}

// run runs a command and fails the test on error.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// newHostNS makes a namespace and its veth; it is removed when the test
// ends, pass or fail, after everything registered later.
func newHostNS(t *testing.T) *hostNS {
	t.Helper()
	n := rand.IntN(250) + 2
	h := &hostNS{
		name:     fmt.Sprintf("hanok-e2e-%d-%d", os.Getpid(), n),
		hostIP:   net.IPv4(10, 250, byte(n), 1).To4(),
		nodeIP:   net.IPv4(10, 250, byte(n), 2).To4(),
		hostLink: fmt.Sprintf("hke%d", n),
	}
	run(t, "ip", "netns", "add", h.name)
	t.Cleanup(func() {
		// Deleting the namespace takes its links, routes and iptables rules.
		_ = exec.Command("ip", "link", "del", h.hostLink).Run()
		_ = exec.Command("ip", "netns", "del", h.name).Run()
	})
	run(t, "ip", "link", "add", h.hostLink, "type", "veth", "peer", "name", "eth0", "netns", h.name)
	run(t, "ip", "addr", "add", h.hostIP.String()+"/30", "dev", h.hostLink)
	run(t, "ip", "link", "set", h.hostLink, "up")
	run(t, "ip", "-n", h.name, "addr", "add", h.nodeIP.String()+"/30", "dev", "eth0")
	run(t, "ip", "-n", h.name, "link", "set", "eth0", "up")
	run(t, "ip", "-n", h.name, "link", "set", "lo", "up")
	run(t, "ip", "-n", h.name, "route", "add", "default", "via", h.hostIP.String())
	return h
}

// startNodeServer runs `hanok server` with its agent inside a fresh
// namespace, as a single-node cluster. Daemons that need cgroups start
// under nsenter --net (ip netns exec would hide /sys/fs/cgroup). The
// cluster, its pods, mounts, cgroups and namespace are removed when the
// test ends.
func startNodeServer(t *testing.T, extra ...string) *server {
	t.Helper()
	needRoot(t)
	h := newHostNS(t)
	dir := t.TempDir()
	s := &server{t: t, dataDir: filepath.Join(dir, "data"), kubeconfig: filepath.Join(dir, "kubeconfig.yaml"), port: 6443}
	s.host = h
	s.nodeName = "e2e-" + h.name[len(h.name)-3:]
	s.nodeName = strings.Trim(strings.ReplaceAll(s.nodeName, "-", ""), "-")
	s.args = append([]string{"--net=/var/run/netns/" + h.name, hanokBin(t), "server",
		"--config", filepath.Join(dir, "no-config.yaml"),
		"--data-dir", s.dataDir,
		"--write-kubeconfig", s.kubeconfig,
		"--node-ip", h.nodeIP.String(), "--node-name", s.nodeName,
		"--private-registry", filepath.Join(dir, "registries.yaml"),
		"--resolv-conf", writeResolvConf(t, dir),
	}, extra...)
	if err := os.WriteFile(filepath.Join(dir, "no-config.yaml"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s.command = "nsenter"
	t.Cleanup(func() { cleanupNode(t, s) })
	return s
}

// writeResolvConf gives pods a resolver inside their own world: the host's
// may name servers the test must not send traffic to.
func writeResolvConf(t *testing.T, dir string) string {
	path := filepath.Join(dir, "resolv.conf")
	if err := os.WriteFile(path, []byte("nameserver 127.0.0.53\nsearch e2e.invalid\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// startNode starts a server prepared by startNodeServer (after the test
// has dropped images into its airgap folder) and points the kubeconfig at
// the node's address.
func (s *server) startNode() {
	s.t.Helper()
	s.start()
}

// pointKubeconfigAtNode rewrites the server's kubeconfig (written for
// 127.0.0.1 of its own namespace) to the node's address, reachable from
// the test over the veth.
func (s *server) pointKubeconfigAtNode() {
	cfg, err := clientcmd.LoadFromFile(s.kubeconfig)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, c := range cfg.Clusters {
		c.Server = s.url()
	}
	if err := clientcmd.WriteToFile(*cfg, s.kubeconfig); err != nil {
		s.t.Fatal(err)
	}
}

// imagesDir is the node's airgap folder.
func (s *server) imagesDir() string { return datadir.New(s.dataDir).ImagesDir() }

// cleanupNode removes the node's pods through its runtime, stops hanok,
// then ends any process still in the node's cgroup or using its runtime
// socket (all started by this test's hanok), unmounts what it mounted and
// removes its cgroups and run folder.
func cleanupNode(t *testing.T, s *server) {
	layout := datadir.New(s.dataDir)
	if s.cmd != nil {
		crictl := func(args ...string) string {
			cmd := exec.Command(hanokBin(t), append([]string{"crictl", "--runtime-endpoint", "unix://" + layout.ContainerdSocket()}, args...)...)
			out, _ := cmd.Output()
			return string(out)
		}
		for _, id := range strings.Fields(crictl("pods", "-q")) {
			crictl("stopp", id)
			crictl("rmp", id)
		}
	}
	s.stop()
	killNodeProcesses(layout, s.nodeName)
	unmountUnder(layout.DataDir, layout.RunDir())
	removeCgroups(datadir.CgroupRoot(s.nodeName))
	_ = os.RemoveAll(layout.RunDir())
}

// killNodeProcesses ends, by PID, processes this node's hanok started: those
// in its cgroup (containers) and shims serving its runtime socket.
func killNodeProcesses(layout datadir.Layout, nodeName string) {
	cgroup := datadir.CgroupRoot(nodeName) + "/"
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cg, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cgroup"))
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if strings.Contains(string(cg), cgroup) || strings.Contains(string(cmdline), layout.ContainerdSocket()) ||
			strings.Contains(string(cmdline), layout.DataDir) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	time.Sleep(200 * time.Millisecond)
}

// unmountUnder lazily unmounts every mount point below the given folders,
// deepest first.
func unmountUnder(roots ...string) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return
	}
	defer f.Close()
	var points []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		for _, root := range roots {
			if root != "" && strings.HasPrefix(fields[4], root+"/") {
				points = append(points, fields[4])
			}
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(points)))
	for _, p := range points {
		_ = syscall.Unmount(p, syscall.MNT_DETACH)
	}
}

// removeCgroups removes the node's cgroup tree in every hierarchy (v1
// controllers and the v2 mount), leaves first.
func removeCgroups(root string) {
	mounts, _ := filepath.Glob("/sys/fs/cgroup/*")
	mounts = append(mounts, "/sys/fs/cgroup")
	for _, m := range mounts {
		base := filepath.Join(m, root)
		var dirs []string
		_ = filepath.WalkDir(base, func(path string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, path)
			}
			return nil
		})
		for i := len(dirs) - 1; i >= 0; i-- {
			_ = syscall.Rmdir(dirs[i])
		}
		_ = syscall.Rmdir(filepath.Dir(base)) // /hanok, when empty
	}
}

// nodeSocket is the node's containerd socket.
func nodeSocket(s *server) string { return datadir.New(s.dataDir).ContainerdSocket() }

// containerdPID finds the node's containerd child by its config path.
func containerdPID(t *testing.T, s *server) int {
	t.Helper()
	config := datadir.New(s.dataDir).ContainerdConfig()
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		args := strings.Split(string(cmdline), "\x00")
		if len(args) > 1 && args[1] == "containerd" && strings.Contains(string(cmdline), config) {
			return pid
		}
	}
	return 0
}
