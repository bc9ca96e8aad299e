package main

// The hanok process handling is apiserver-bench's (test/bench/apiserver),
// trimmed to what this tool needs: start `hanok server` without an agent
// on free loopback ports, wait for /readyz, stop it, read its RSS.

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

// hanokProcess is a hanok server this tool started (control plane only).
type hanokProcess struct {
	bin, dir, kubeconfig string
	args                 []string
	cmd                  *exec.Cmd
	port                 int
	firstStart           time.Duration
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startHanok(bin string) (*hanokProcess, error) {
	dir, err := os.MkdirTemp("", "hanok-bench-")
	if err != nil {
		return nil, err
	}
	h := &hanokProcess{bin: bin, dir: dir, kubeconfig: filepath.Join(dir, "kubeconfig"), port: freePort()}
	cfgFile := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgFile, nil, 0o600); err != nil {
		return nil, err
	}
	h.args = []string{"server", "--config", cfgFile, "--data-dir", filepath.Join(dir, "data"),
		"--write-kubeconfig", h.kubeconfig, "--bind-address", "127.0.0.1", "--node-ip", "127.0.0.1",
		"--https-listen-port", strconv.Itoa(h.port), "--etcd-client-port", strconv.Itoa(freePort()),
		"--etcd-peer-port", strconv.Itoa(freePort()), "--disable-agent"}
	h.firstStart, err = h.start()
	return h, err
}

// start runs hanok and returns the time until /readyz answers ok.
func (h *hanokProcess) start() (time.Duration, error) {
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

func (h *hanokProcess) stop() {
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

// close stops hanok and removes its temporary data dir.
func (h *hanokProcess) close() {
	h.stop()
	_ = os.RemoveAll(h.dir)
}

// rssMB reads the process's resident set size.
func (h *hanokProcess) rssMB() float64 {
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
