package prober

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	v1 "k8s.io/api/core/v1"
)

// RunHandler runs a lifecycle hook (exec, httpGet, sleep, tcpSocket as
// upstream). The error message is upstream's, ready for a
// FailedPostStartHook/FailedPreStopHook event. ctx bounds the hook: the
// kubelet cancels it when the grace period runs out.
func RunHandler(ctx context.Context, h *v1.LifecycleHandler, pod *v1.Pod, c *v1.Container, containerID string, rt Runtime) error {
	podName := pod.Name + "_" + pod.Namespace + "(" + string(pod.UID) + ")"
	switch {
	case h.Exec != nil:
		if rt == nil {
			return fmt.Errorf("no runtime to exec in")
		}
		// As upstream, a hook has no timeout of its own (0).
		stdout, stderr, code, err := rt.ExecSync(ctx, containerID, h.Exec.Command, 0)
		out := string(stdout) + string(stderr)
		if err == nil && code != 0 {
			err = fmt.Errorf("command '%s' exited with %d: %s", strings.Join(h.Exec.Command, " "), code, stderr)
		}
		if err != nil {
			return fmt.Errorf("Exec lifecycle hook (%v) for Container %q in Pod %q failed - error: %v, message: %q", h.Exec.Command, c.Name, podName, err, out)
		}
		return nil
	case h.HTTPGet != nil:
		if err := runHTTPHandler(ctx, h.HTTPGet, pod, c); err != nil {
			return fmt.Errorf("HTTP lifecycle hook (%s) for Container %q in Pod %q failed - error: %v", h.HTTPGet.Path, c.Name, podName, err)
		}
		return nil
	case h.Sleep != nil:
		t := time.NewTimer(time.Duration(h.Sleep.Seconds) * time.Second)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return fmt.Errorf("Sleep lifecycle hook (%d) for Container %q in Pod %q failed - error: container terminated before sleep hook finished", h.Sleep.Seconds, c.Name, podName)
		case <-t.C:
			return nil
		}
	}
	// tcpSocket is accepted by the API only for compatibility; upstream's
	// kubelet refuses to run it, and so do we.
	return fmt.Errorf("Cannot run handler: invalid handler: %v", h)
}

// runHTTPHandler sends the hook's GET; any response is fine (upstream does
// not look at the status). An HTTPS hook answered in plain HTTP is retried
// over HTTP without the Authorization header, as upstream.
func runHTTPHandler(ctx context.Context, a *v1.HTTPGetAction, pod *v1.Pod, c *v1.Container) error {
	req, err := newHTTPRequest(ctx, a, pod, c, "lifecycle")
	if err != nil {
		return err
	}
	client := &http.Client{Transport: probeTransport}
	resp, err := client.Do(req)
	discard(resp)
	if err != nil && strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") {
		retry := req.Clone(ctx)
		retry.URL.Scheme = "http"
		retry.Header.Del("Authorization")
		resp, httpErr := client.Do(retry)
		discard(resp)
		if httpErr == nil {
			err = nil
		}
	}
	return err
}

func discard(resp *http.Response) {
	if resp == nil {
		return
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
}
