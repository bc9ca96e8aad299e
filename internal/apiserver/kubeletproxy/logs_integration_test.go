package kubeletproxy_test

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/kubeletproxy/kubelettest"
	"github.com/hanok-dev/hanok/internal/testserver"
)

// TestLogsFollowStreams: with follow, lines reach the client as the
// kubelet writes them, before the stream ends.
func TestLogsFollowStreams(t *testing.T) {
	c := newCluster(t)
	c.pod(t, "web", true, "app")
	ctx := testserver.Context(t)
	tail := int64(10)
	stream, err := c.s.Client().CoreV1().Pods(c.ns).GetLogs("web", &corev1.PodLogOptions{Follow: true, TailLines: &tail, Timestamps: true}).Stream(ctx)
	if err != nil {
		t.Fatalf("logs: %v", err)
	}
	defer stream.Close()
	lines := bufio.NewReader(stream)
	for _, want := range kubelettest.LogLines {
		got, err := lines.ReadString('\n')
		if err != nil || strings.TrimSpace(got) != want {
			t.Fatalf("read %q, %v; want %q before the kubelet ends the stream", got, err, want)
		}
	}
	c.kubelet.Release()
	if got, err := lines.ReadString('\n'); err != nil || strings.TrimSpace(got) != kubelettest.FollowLine {
		t.Fatalf("after release: %q, %v", got, err)
	}
	if _, err := lines.ReadString('\n'); !errors.Is(err, io.EOF) {
		t.Errorf("stream did not end with the kubelet's: %v", err)
	}
	want := "/containerLogs/" + c.ns + "/web/app?follow=true&tailLines=10&timestamps=true"
	if !slices.Contains(c.kubelet.Requests(), want) {
		t.Errorf("kubelet requests %v, want %s", c.kubelet.Requests(), want)
	}
}

// TestLogsErrors: options, container choice and the kubelet's refusals
// come back as Status errors, as upstream words them.
func TestLogsErrors(t *testing.T) {
	c := newCluster(t)
	c.pod(t, "one", true, "app")
	c.pod(t, "two", true, "a", "b")
	c.pod(t, "waits", true, kubelettest.WaitingContainer)
	c.pod(t, "pending", false, "app")
	tests := []struct {
		name, pod string
		params    map[string]string
		code      int
		field     string // a cause's field
		message   string // substring
	}{
		{"negative tailLines", "one", map[string]string{"tailLines": "-1"}, 422, "tailLines", "must be greater than or equal to 0"},
		{"zero limitBytes", "one", map[string]string{"limitBytes": "0"}, 422, "limitBytes", "must be greater than 0"},
		{"zero sinceSeconds", "one", map[string]string{"sinceSeconds": "0"}, 422, "sinceSeconds", ""},
		{"since both ways", "one", map[string]string{"sinceSeconds": "5", "sinceTime": "2026-01-01T00:00:00Z"}, 422, "", "at most one of `sinceTime` or `sinceSeconds`"},
		{"stream selection off", "one", map[string]string{"stream": "Stdout"}, 422, "stream", "may not be specified"},
		{"unparsable tailLines", "one", map[string]string{"tailLines": "ten"}, 400, "", "tailLines"},
		{"unparsable sinceTime", "one", map[string]string{"sinceTime": "yesterday"}, 400, "", "sinceTime"},
		{"container required", "two", nil, 400, "", "a container name must be specified for pod two, choose one of: [a b]"},
		{"unknown container", "one", map[string]string{"container": "nope"}, 400, "", "container nope is not valid for pod one"},
		{"container not started", "waits", nil, 400, "", `container "waiting" in pod "waits" is waiting to start: ContainerCreating`},
		{"no such pod", "ghost", nil, 404, "", `pods "ghost" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := c.s.Client().CoreV1().RESTClient().Get().Namespace(c.ns).Resource("pods").Name(tt.pod).SubResource("log")
			for k, v := range tt.params {
				req = req.Param(k, v)
			}
			err := req.Do(testserver.Context(t)).Error() // DoRaw would not decode the Status
			var status apierrors.APIStatus
			if !errors.As(err, &status) {
				t.Fatalf("got %v, want a Status", err)
			}
			st := status.Status()
			if int(st.Code) != tt.code || !strings.Contains(st.Message, tt.message) {
				t.Fatalf("got %d %q, want %d containing %q", st.Code, st.Message, tt.code, tt.message)
			}
			if tt.field != "" {
				if st.Details == nil || !slices.ContainsFunc(st.Details.Causes, func(c metav1.StatusCause) bool { return c.Field == tt.field }) {
					t.Errorf("causes %+v lack field %s", st.Details, tt.field)
				}
			}
		})
	}

	t.Run("unscheduled pod has no logs yet", func(t *testing.T) {
		res := c.s.Client().CoreV1().RESTClient().Get().Namespace(c.ns).Resource("pods").Name("pending").SubResource("log").Do(testserver.Context(t))
		var code int
		res.StatusCode(&code)
		if res.Error() != nil || code != http.StatusNoContent {
			t.Errorf("got %d, %v; want 204 as upstream", code, res.Error())
		}
	})
}
