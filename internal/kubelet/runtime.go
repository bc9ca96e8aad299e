package kubelet

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	internalapi "k8s.io/cri-api/pkg/apis"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	utilexec "k8s.io/utils/exec"
)

// Termination messages are capped as upstream.
const (
	maxTerminationMessage = 4096
	fallbackLogLines      = 80
	fallbackLogBytes      = 2048
)

// criState reads pods' runtime state from CRI. A container's status only
// changes with its state (created, running, exited), so statuses (and
// termination messages) are cached by ID and read again only when the list
// shows a new state: an idle node costs two list calls per pod sync.
type criState struct {
	rt         internalapi.RuntimeService
	podLogsDir string
	rootDir    string

	mu       sync.Mutex
	statuses map[types.UID]map[string]*containerState // pod -> container ID -> last status read
	sandbox  map[types.UID]map[string][]string        // pod -> ready sandbox ID -> IPs
}

func newCRIState(rt internalapi.RuntimeService, podLogsDir, rootDir string) *criState {
	return &criState{rt: rt, podLogsDir: podLogsDir, rootDir: rootDir,
		statuses: map[types.UID]map[string]*containerState{},
		sandbox:  map[types.UID]map[string][]string{}}
}

// podState returns every sandbox and container carrying the pod's UID.
func (s *criState) podState(ctx context.Context, uid types.UID) (*podState, error) {
	sel := map[string]string{labelPodUID: string(uid)}
	sandboxes, err := s.rt.ListPodSandbox(ctx, &runtimeapi.PodSandboxFilter{LabelSelector: sel})
	if err != nil {
		return nil, fmt.Errorf("listing sandboxes of pod %s: %w", uid, err)
	}
	containers, err := s.rt.ListContainers(ctx, &runtimeapi.ContainerFilter{LabelSelector: sel})
	if err != nil {
		return nil, fmt.Errorf("listing containers of pod %s: %w", uid, err)
	}
	st := &podState{UID: uid}
	for _, sb := range sandboxes {
		meta := sb.GetMetadata()
		st.Name, st.Namespace = meta.GetName(), meta.GetNamespace()
		ss := &sandboxState{
			ID: sb.Id, Attempt: meta.GetAttempt(),
			Ready:     sb.State == runtimeapi.PodSandboxState_SANDBOX_READY,
			CreatedAt: time.Unix(0, sb.CreatedAt),
		}
		if ss.Ready {
			ss.IPs = s.sandboxIPs(ctx, uid, sb.Id)
		}
		st.Sandboxes = append(st.Sandboxes, ss)
	}
	for _, c := range containers {
		cs, err := s.containerState(ctx, uid, c)
		if err != nil {
			return nil, err
		}
		if cs != nil {
			st.Containers = append(st.Containers, cs)
		}
	}
	s.prune(uid, containers, sandboxes)
	st.sortNewestFirst()
	return st, nil
}

// sandboxIPs asks the runtime once per ready sandbox.
func (s *criState) sandboxIPs(ctx context.Context, uid types.UID, id string) []string {
	s.mu.Lock()
	ips, ok := s.sandbox[uid][id]
	s.mu.Unlock()
	if ok {
		return ips
	}
	resp, err := s.rt.PodSandboxStatus(ctx, id, false)
	if err != nil || resp.GetStatus() == nil {
		return nil
	}
	if n := resp.GetStatus().GetNetwork(); n != nil && n.Ip != "" {
		ips = append(ips, n.Ip)
		for _, a := range n.AdditionalIps {
			ips = append(ips, a.Ip)
		}
	}
	s.mu.Lock()
	if s.sandbox[uid] == nil {
		s.sandbox[uid] = map[string][]string{}
	}
	s.sandbox[uid][id] = ips
	s.mu.Unlock()
	return ips
}

// containerState reads one container's full status, from the cache while
// its state is unchanged.
func (s *criState) containerState(ctx context.Context, uid types.UID, c *runtimeapi.Container) (*containerState, error) {
	s.mu.Lock()
	cached, ok := s.statuses[uid][c.Id]
	s.mu.Unlock()
	if ok && cached.State == c.State {
		return cached, nil
	}
	resp, err := s.rt.ContainerStatus(ctx, c.Id, false)
	if err != nil {
		// Removed between list and status: skip it, the next relist agrees.
		return nil, nil
	}
	cs := resp.GetStatus()
	if cs == nil {
		return nil, nil
	}
	out := &containerState{
		ID:           c.Id,
		Name:         cs.GetMetadata().GetName(),
		SandboxID:    c.PodSandboxId,
		RestartCount: restartCountOf(cs.Annotations),
		Init:         cs.Annotations[annotationContainerInit] == "true",
		Hash:         cs.Annotations[annotationContainerHash],
		State:        cs.State,
		CreatedAt:    unixNanoTime(cs.CreatedAt),
		StartedAt:    unixNanoTime(cs.StartedAt),
		FinishedAt:   unixNanoTime(cs.FinishedAt),
		ExitCode:     cs.ExitCode,
		Reason:       cs.Reason,
		Message:      cs.Message,
		Image:        cs.GetImage().GetImage(),
		ImageRef:     cs.ImageRef,
		LogPath:      cs.LogPath,
	}
	if out.Name == "" {
		out.Name = c.Labels[labelContainerName]
	}
	if out.exited() {
		out.Message = s.terminationMessage(c, cs, out)
	}
	if out.exited() || out.running() {
		s.mu.Lock()
		if s.statuses[uid] == nil {
			s.statuses[uid] = map[string]*containerState{}
		}
		s.statuses[uid][c.Id] = out
		s.mu.Unlock()
	}
	return out, nil
}

// terminationMessage reads the file the container wrote at its
// terminationMessagePath, or the tail of its log when the policy says so.
func (s *criState) terminationMessage(c *runtimeapi.Container, cs *runtimeapi.ContainerStatus, st *containerState) string {
	uid := c.Labels[labelPodUID]
	path := terminationLogHostPath(s.rootDir, types.UID(uid), st.Name, st.RestartCount)
	msg := readCapped(path, maxTerminationMessage)
	if msg != "" || st.ExitCode == 0 ||
		cs.Annotations[annotationTerminationPolicy] != string(v1.TerminationMessageFallbackToLogsOnError) {
		if msg == "" {
			return cs.Message
		}
		return msg
	}
	logPath := cs.LogPath
	if logPath == "" {
		logPath = filepath.Join(podLogDir(s.podLogsDir, c.Labels[labelPodNamespace], c.Labels[labelPodName], uid),
			containerLogPath(st.Name, st.RestartCount))
	}
	return tailCRILog(logPath, fallbackLogLines, fallbackLogBytes)
}

// prune forgets the cached entries of a pod's containers and sandboxes that
// are gone.
func (s *criState) prune(uid types.UID, containers []*runtimeapi.Container, sandboxes []*runtimeapi.PodSandbox) {
	live := map[string]bool{}
	for _, c := range containers {
		live[c.Id] = true
	}
	for _, sb := range sandboxes {
		live[sb.Id] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id := range s.statuses[uid] {
		if !live[id] {
			delete(s.statuses[uid], id)
		}
	}
	for id := range s.sandbox[uid] {
		if !live[id] {
			delete(s.sandbox[uid], id)
		}
	}
}

// forgetPod drops everything cached about a pod.
func (s *criState) forgetPod(uid types.UID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.statuses, uid)
	delete(s.sandbox, uid)
}

func unixNanoTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// terminationLogHostPath is where a container instance's termination
// message file lives on the host: <root>/pods/<uid>/containers/<name>/<n>.
func terminationLogHostPath(rootDir string, uid types.UID, name string, restartCount int) string {
	return filepath.Join(podDir(rootDir, uid), "containers", name, fmt.Sprint(restartCount))
}

// podDir is the pod's folder under the kubelet root (volumes live below it).
func podDir(rootDir string, uid types.UID) string {
	return filepath.Join(rootDir, "pods", string(uid))
}

func readCapped(path string, limit int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, limit))
	return string(b)
}

// tailCRILog returns the last lines of a CRI-format log file
// ("<time> <stream> <P|F> <text>"), at most maxBytes.
func tailCRILog(path string, lines int, maxBytes int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var partial strings.Builder
	for sc.Scan() {
		parts := bytes.SplitN(sc.Bytes(), []byte(" "), 4)
		if len(parts) < 4 {
			continue
		}
		partial.Write(parts[3])
		if string(parts[2]) == "P" {
			continue
		}
		out = append(out, partial.String())
		partial.Reset()
		if len(out) > lines {
			out = out[1:]
		}
	}
	text := strings.Join(out, "\n")
	if len(out) > 0 {
		text += "\n"
	}
	if len(text) > maxBytes {
		text = text[len(text)-maxBytes:]
	}
	return text
}

// execAdapter gives the prober CRI's ExecSync with the exit code split out.
type execAdapter struct{ rt internalapi.RuntimeService }

func (e execAdapter) ExecSync(ctx context.Context, containerID string, cmd []string, timeout time.Duration) ([]byte, []byte, int32, error) {
	stdout, stderr, err := e.rt.ExecSync(ctx, containerID, cmd, timeout)
	if err != nil {
		var ee utilexec.ExitError
		if errors.As(err, &ee) {
			return stdout, stderr, int32(ee.ExitStatus()), nil
		}
		return stdout, stderr, -1, err
	}
	return stdout, stderr, 0, nil
}
