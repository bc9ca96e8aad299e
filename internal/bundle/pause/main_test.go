package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildPause compiles the program as the bundle does.
func buildPause(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "pause")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// Run as PID 1 of a fresh PID namespace, pause reaps the orphans reparented
// to it and exits 0 on SIGTERM.
func TestPauseReapsOrphansAndStopsOnSIGTERM(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("a PID namespace needs root")
	}
	if _, err := exec.LookPath("nsenter"); err != nil {
		t.Skip("needs nsenter")
	}
	pause := exec.Command(buildPause(t))
	pause.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID}
	if err := pause.Start(); err != nil {
		t.Fatal(err)
	}
	pid := pause.Process.Pid
	done := make(chan error, 1)
	go func() { done <- pause.Wait() }()
	defer func() {
		if pause.ProcessState == nil {
			_ = pause.Process.Kill()
			<-done
		}
	}()

	// A shell in the namespace starts a one-second sleep in the background and
	// exits: the sleep is orphaned, reparented to pause, and dies.
	out, err := exec.Command("nsenter", "--target", strconv.Itoa(pid), "--pid", "--",
		"/bin/sh", "-c", "sleep 1 & exit 0").CombinedOutput()
	if err != nil {
		t.Fatalf("nsenter: %v\n%s", err, out)
	}
	childrenFile := filepath.Join("/proc", strconv.Itoa(pid), "task", strconv.Itoa(pid), "children")
	sawOrphan := false
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, err := os.ReadFile(childrenFile)
		if err != nil {
			t.Fatal(err)
		}
		children := strings.Fields(string(data))
		if len(children) > 0 {
			sawOrphan = true
		} else if sawOrphan {
			break // adopted, then reaped
		}
		if time.Now().After(deadline) {
			if !sawOrphan {
				t.Skip("the orphan was never seen adopted (it may have exited before the first look)")
			}
			states := make([]string, len(children))
			for i, c := range children {
				states[i] = c + ":" + procState(c)
			}
			t.Fatalf("pause never reaped its children (pid:state) %v", states)
		}
		time.Sleep(20 * time.Millisecond)
	}

	if err := pause.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("pause exited with %v after SIGTERM, want 0", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("pause ignored SIGTERM")
	}
}

// procState is the one-letter state of a process ("Z" for a zombie).
func procState(pid string) string {
	data, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return ""
	}
	s := string(data)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2 : i+3]
	}
	return ""
}
