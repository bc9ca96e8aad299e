package containerd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/hanok-dev/hanok/internal/datadir"
)

// Supervision timings; variables so tests can shorten them.
var (
	startTimeout   = 60 * time.Second // until the socket answers
	stopTimeout    = 10 * time.Second // SIGTERM, then SIGKILL
	minBackoff     = 500 * time.Millisecond
	maxBackoff     = 30 * time.Second
	healthyRunTime = time.Minute // a run this long resets the back-off
)

// Supervisor keeps one `hanok containerd` child running for a node.
type Supervisor struct {
	layout datadir.Layout
	self   string
	env    []string
	log    *logrus.Entry

	mu       sync.Mutex
	cmd      *exec.Cmd
	restarts int
	done     chan struct{}
}

// Supervise starts `<self> containerd --config <layout.ContainerdConfig()>`
// with PATH=<layout.BinDir()>:$PATH, logging to layout.ContainerdLog(),
// waits for its socket, and keeps it running (restart with back-off) until
// ctx ends. Then containerd gets SIGTERM: it exits without stopping shims,
// so containers keep running and the next containerd reconnects to them.
// env is added to this process's environment.
func Supervise(ctx context.Context, layout datadir.Layout, self string, env []string) (*Supervisor, error) {
	s := &Supervisor{
		layout: layout,
		self:   self,
		env:    env,
		log:    logrus.WithField("component", "containerd"),
		done:   make(chan struct{}),
	}
	exited, err := s.start()
	if err != nil {
		close(s.done)
		return nil, err
	}
	if err := s.waitReady(ctx, exited); err != nil {
		s.stop(exited)
		close(s.done)
		return nil, err
	}
	go s.loop(ctx, exited)
	return s, nil
}

// Socket is the containerd socket the child serves.
func (s *Supervisor) Socket() string { return s.layout.ContainerdSocket() }

// Done is closed once the child has been stopped after ctx ended.
func (s *Supervisor) Done() <-chan struct{} { return s.done }

// Wait blocks until the child has been stopped after ctx ended.
func (s *Supervisor) Wait() { <-s.done }

// PID is the current child's process id (0 while restarting).
func (s *Supervisor) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Restarts counts how often the child was started again after dying.
func (s *Supervisor) Restarts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.restarts
}

func (s *Supervisor) loop(ctx context.Context, exited <-chan error) {
	defer close(s.done)
	backoff := minBackoff
	for {
		started := time.Now()
		select {
		case <-ctx.Done():
			s.stop(exited)
			return
		case err := <-exited:
			s.setCmd(nil)
			if time.Since(started) > healthyRunTime {
				backoff = minBackoff
			}
			s.log.WithError(err).WithField("backoff", backoff).Warn("containerd exited; restarting")
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, maxBackoff)
			var err error
			exited, err = s.start()
			if err == nil {
				s.mu.Lock()
				s.restarts++
				s.mu.Unlock()
				break
			}
			s.log.WithError(err).Warn("starting containerd")
		}
	}
}

// start launches the child; exited yields its exit once.
func (s *Supervisor) start() (<-chan error, error) {
	logPath := s.layout.ContainerdLog()
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return nil, err
	}
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child holds its own descriptor
	cmd := exec.Command(s.self, "containerd", "--config", s.layout.ContainerdConfig())
	cmd.Env = append(append(os.Environ(), s.env...),
		"PATH="+s.layout.BinDir()+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{
		// Own process group: a ^C at the agent's terminal is the agent's to
		// handle. Pdeathsig: if the agent dies hard, containerd stops too
		// (gracefully, so shims survive) instead of holding its database
		// lock against the next agent's containerd.
		Setpgid:   true,
		Pdeathsig: syscall.SIGTERM,
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting containerd: %w", err)
	}
	s.setCmd(cmd)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	s.log.WithField("pid", cmd.Process.Pid).Debug("containerd started")
	return exited, nil
}

func (s *Supervisor) setCmd(cmd *exec.Cmd) {
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()
}

// waitReady polls the socket until containerd accepts connections.
func (s *Supervisor) waitReady(ctx context.Context, exited <-chan error) error {
	deadline := time.Now().Add(startTimeout)
	for {
		conn, err := net.DialTimeout("unix", s.Socket(), time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("containerd did not open %s within %s (see %s)", s.Socket(), startTimeout, s.layout.ContainerdLog())
		}
		select {
		case err := <-exited:
			return fmt.Errorf("containerd exited at start: %v (see %s)", err, s.layout.ContainerdLog())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM, then SIGKILL after stopTimeout; shims are separate
// process groups and are left alone either way.
func (s *Supervisor) stop(exited <-chan error) {
	s.mu.Lock()
	cmd := s.cmd
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		s.log.WithError(err).Warn("signalling containerd")
	}
	select {
	case <-exited:
	case <-time.After(stopTimeout):
		s.log.Warn("containerd did not stop in time; killing it")
		_ = cmd.Process.Kill()
		<-exited
	}
	s.setCmd(nil)
}
