package prober

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestRunHandler(t *testing.T) {
	got := make(chan *http.Request, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r
		w.WriteHeader(http.StatusInternalServerError) // hooks ignore the status
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	port, _ := strconv.Atoi(u.Port())

	rt := newFakeRuntime()
	rt.exits["fail"] = 2
	pod := podWithIP("127.0.0.1")
	c := &v1.Container{Name: "app"}

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name    string
		ctx     context.Context
		h       v1.LifecycleHandler
		wantErr string
	}{
		{name: "exec ok", h: v1.LifecycleHandler{Exec: &v1.ExecAction{Command: []string{"ok"}}}},
		{name: "exec fails", h: v1.LifecycleHandler{Exec: &v1.ExecAction{Command: []string{"fail", "now"}}},
			wantErr: `Exec lifecycle hook ([fail now]) for Container "app" in Pod "p_ns(uid-p)" failed - error: command 'fail now' exited with 2`},
		{name: "http", h: v1.LifecycleHandler{HTTPGet: &v1.HTTPGetAction{Path: "/hook", Port: intstr.FromInt(port)}}},
		{name: "http refused", h: v1.LifecycleHandler{HTTPGet: &v1.HTTPGetAction{Path: "/hook", Port: intstr.FromInt(closedPort(t))}},
			wantErr: `HTTP lifecycle hook (/hook) for Container "app" in Pod "p_ns(uid-p)" failed`},
		{name: "sleep 0", h: v1.LifecycleHandler{Sleep: &v1.SleepAction{Seconds: 0}}},
		{name: "sleep cut short", ctx: cancelled, h: v1.LifecycleHandler{Sleep: &v1.SleepAction{Seconds: 30}},
			wantErr: "container terminated before sleep hook finished"},
		{name: "tcpSocket refused as upstream", h: v1.LifecycleHandler{TCPSocket: &v1.TCPSocketAction{Port: intstr.FromInt(port)}},
			wantErr: "invalid handler"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = t.Context()
			}
			err := RunHandler(ctx, &tt.h, pod, c, "cid", rt)
			if tt.wantErr == "" && err != nil {
				t.Fatal(err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
	select {
	case r := <-got:
		if r.URL.Path != "/hook" || r.Header.Get("User-Agent") != "kube-lifecycle/1.37" {
			t.Errorf("hook request %s with User-Agent %q", r.URL.Path, r.Header.Get("User-Agent"))
		}
	default:
		t.Error("the HTTP hook was not called")
	}
	if calls := rt.callsOf("ok"); len(calls) != 1 || calls[0].timeout != 0 {
		t.Errorf("exec hook calls %+v, want one with no timeout", calls)
	}
}
