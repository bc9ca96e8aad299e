// Package hanokproc starts `hanok server` for the benchmark tools: the
// control plane only, on free loopback ports and a temporary data dir, and
// waits for /readyz; it stops it, restarts it on the same data dir, and
// reads its resident memory.
package hanokproc

import (
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
	"time"
)

// Process is a hanok server a tool started (control plane only).
type Process struct {
	// Kubeconfig is the admin kubeconfig the server wrote.
	Kubeconfig string
	// FirstStart is the time from exec to /readyz on a fresh data dir.
	FirstStart time.Duration

	bin, dir string
	args     []string
	cmd      *exec.Cmd
	port     int
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start runs bin as `hanok server --disable-agent` and waits until ready.
func Start(bin string) (*Process, error) {
	dir, err := os.MkdirTemp("", "hanok-bench-")
	if err != nil {
		return nil, err
	}
	h := &Process{bin: bin, dir: dir, Kubeconfig: filepath.Join(dir, "kubeconfig"), port: freePort()}
	cfgFile := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgFile, nil, 0o600); err != nil {
		return nil, err
	}
	h.args = []string{"server", "--config", cfgFile, "--data-dir", filepath.Join(dir, "data"),
		"--write-kubeconfig", h.Kubeconfig, "--bind-address", "127.0.0.1", "--node-ip", "127.0.0.1",
		"--https-listen-port", strconv.Itoa(h.port), "--etcd-client-port", strconv.Itoa(freePort()),
		"--etcd-peer-port", strconv.Itoa(freePort()), "--disable-agent"}
	h.FirstStart, err = h.start()
	return h, err
}

// start runs hanok and returns the time until /readyz answers ok.
func (h *Process) start() (time.Duration, error) {
	logFile, err := os.OpenFile(filepath.Join(h.dir, "hanok.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return 0, err
	}
	h.cmd = exec.Command(h.bin, h.args...)
	h.cmd.Stdout, h.cmd.Stderr = logFile, logFile
	h.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	begin := time.Now()
	if err := h.cmd.Start(); err != nil {
		return 0, err
	}
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, DisableKeepAlives: true}}
	url := fmt.Sprintf("https://127.0.0.1:%d/readyz", h.port)
	for time.Since(begin) < 60*time.Second {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(begin), nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return 0, fmt.Errorf("hanok not ready after 60s; see %s", filepath.Join(h.dir, "hanok.log"))
}

// Stop ends the server (SIGTERM, then SIGKILL after 15s); its data dir
// stays for Restart.
func (h *Process) Stop() {
	if h.cmd != nil && h.cmd.Process != nil {
		_ = h.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = h.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = h.cmd.Process.Kill()
			<-done
		}
		h.cmd = nil
	}
}

// Close stops hanok and removes its temporary data dir.
func (h *Process) Close() {
	h.Stop()
	_ = os.RemoveAll(h.dir)
}

// Restart stops the server and starts it again on its data dir, returning
// the time until /readyz.
func (h *Process) Restart() (time.Duration, error) {
	h.Stop()
	return h.start()
}

// RSSMB reads the process's resident set size.
func (h *Process) RSSMB() float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", h.cmd.Process.Pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return float64(kb) / 1024
		}
	}
	return -1
}
