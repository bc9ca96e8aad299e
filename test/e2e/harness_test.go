package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// server is one running `hanok server` started by a test.
type server struct {
	t          *testing.T
	dataDir    string
	kubeconfig string
	port       int
	args       []string
	cmd        *exec.Cmd
	log        *os.File
	// command runs args; empty means the hanok binary itself (a node in
	// its own namespace starts through nsenter).
	command string
	// host and nodeName are set for a server that runs its agent in a
	// namespace of its own (startNodeServer).
	host     *hostNS
	nodeName string
	// agent marks a `hanok agent` process: it serves no API, so start
	// does not wait for one.
	agent bool
}

func hanokBin(t *testing.T) string {
	bin := os.Getenv("HANOK_BIN")
	if bin == "" {
		t.Skip("HANOK_BIN is not set: run the e2e tests through `make e2e`, which builds the binary")
	}
	return bin
}

func kubectlBin(t *testing.T) string {
	path, err := exec.LookPath("kubectl")
	if err != nil {
		t.Fatalf("kubectl is required for the e2e tests: %v", err)
	}
	return path
}

// freePort asks the kernel for an unused 127.0.0.1 port.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startServer runs a control-plane-only hanok on 127.0.0.1 and waits until
// /readyz answers ok. The server is stopped when the test ends.
func startServer(t *testing.T, extra ...string) *server {
	t.Helper()
	dir := t.TempDir()
	s := &server{t: t, dataDir: filepath.Join(dir, "data"), kubeconfig: filepath.Join(dir, "kubeconfig.yaml"), port: freePort(t)}
	s.args = append([]string{"server",
		"--config", filepath.Join(dir, "no-config.yaml"),
		"--data-dir", s.dataDir,
		"--write-kubeconfig", s.kubeconfig,
		"--bind-address", "127.0.0.1", "--node-ip", "127.0.0.1", "--node-name", "e2e",
		"--https-listen-port", strconv.Itoa(s.port),
		"--etcd-client-port", strconv.Itoa(freePort(t)),
		"--etcd-peer-port", strconv.Itoa(freePort(t)),
		"--disable-agent",
	}, extra...)
	// The config file named above does not exist: --config given explicitly
	// but absent must be an error, so create an empty one.
	if err := os.WriteFile(filepath.Join(dir, "no-config.yaml"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *server) start() {
	t := s.t
	t.Helper()
	logPath := filepath.Join(filepath.Dir(s.dataDir), "hanok.log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	s.log = f
	if s.command == "" {
		s.cmd = exec.Command(hanokBin(t), s.args...)
	} else {
		s.cmd = exec.Command(s.command, s.args...)
	}
	s.cmd.Stdout, s.cmd.Stderr = f, f
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if s.agent {
		return
	}
	if err := s.waitReady(30 * time.Second); err != nil {
		s.dumpLog()
		t.Fatal(err)
	}
	if s.host != nil {
		s.pointKubeconfigAtNode()
	}
}

// stop sends SIGTERM and waits; SIGKILL if it does not exit in time.
func (s *server) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
	s.cmd = nil
	if s.log != nil {
		s.log.Close()
	}
	if s.t.Failed() {
		s.dumpLog()
	}
}

func (s *server) dumpLog() {
	data, _ := os.ReadFile(filepath.Join(filepath.Dir(s.dataDir), "hanok.log"))
	if len(data) > 20000 {
		data = data[len(data)-20000:]
	}
	s.t.Logf("hanok log (tail):\n%s", data)
}

func (s *server) url() string {
	if s.host != nil {
		return fmt.Sprintf("https://%s:%d", s.host.nodeIP, s.port)
	}
	return fmt.Sprintf("https://127.0.0.1:%d", s.port)
}

func (s *server) waitReady(timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if s.cmd.ProcessState != nil {
			return fmt.Errorf("hanok exited: %v", s.cmd.ProcessState)
		}
		resp, err := client.Get(s.url() + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				if _, err := os.Stat(s.kubeconfig); err == nil {
					return nil
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("hanok not ready after %v", timeout)
}

// kubectl runs kubectl against the server and returns stdout; stderr is
// returned in the error.
func (s *server) kubectl(args ...string) (string, error) {
	return s.kubectlIn("", args...)
}

func (s *server) kubectlIn(stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, kubectlBin(s.t), append([]string{"--kubeconfig", s.kubeconfig}, args...)...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+s.kubeconfig, "KUBECTL_EDITOR=", "HOME="+filepath.Dir(s.dataDir))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	err := cmd.Run()
	if err != nil {
		return stdout.String(), fmt.Errorf("kubectl %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// mustKubectl fails the test when kubectl fails.
func (s *server) mustKubectl(args ...string) string {
	s.t.Helper()
	out, err := s.kubectl(args...)
	if err != nil {
		s.t.Fatal(err)
	}
	return out
}

// client is a client-go clientset for the admin kubeconfig.
func (s *server) client() *kubernetes.Clientset {
	cfg, err := clientcmd.BuildConfigFromFlags("", s.kubeconfig)
	if err != nil {
		s.t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		s.t.Fatal(err)
	}
	return cs
}

// contains fails unless out contains every want.
func contains(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Fatalf("output lacks %q:\n%s", w, out)
		}
	}
}
