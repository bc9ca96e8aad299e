package apiserver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/authz"
	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/core"
	"github.com/hanok-dev/hanok/internal/apiserver/storage"
	"github.com/hanok-dev/hanok/internal/apiserver/storage/etcdtest"
)

// headerUser authenticates whoever X-Test-User names, in group "devs".
type headerUser struct{}

func (headerUser) Authenticate(r *http.Request) (*authn.User, bool, error) {
	name := r.Header.Get("X-Test-User")
	if name == "" {
		return nil, false, nil
	}
	return &authn.User{Name: name, Groups: []string{"devs"}}, true, nil
}

// noDeletes allows every request but deletions.
type noDeletes struct{}

func (noDeletes) Authorize(_ context.Context, a authz.Attributes) (authz.Decision, string, error) {
	if a.Verb == "delete" {
		return authz.Deny, "no deletions here", nil
	}
	return authz.Allow, "", nil
}

// lockedBuffer is an io.Writer tests can read while requests write.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) events(t *testing.T) []auditEvent {
	b.mu.Lock()
	defer b.mu.Unlock()
	var evs []auditEvent
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var ev auditEvent
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		evs = append(evs, ev)
	}
	return evs
}

// auditServer serves configmaps from a fresh etcd, auditing into the
// returned buffer.
func auditServer(t *testing.T) (*httptest.Server, *lockedBuffer) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts etcd: skipped with -short")
	}
	db, err := etcdtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var configmaps []*registry.Resource
	for _, r := range core.Resources() {
		if r.Plural == "configmaps" {
			configmaps = append(configmaps, r)
		}
	}
	log := &lockedBuffer{}
	s, err := New(Config{
		Resources: configmaps,
		StorageFor: func(res *registry.Resource, prefix string) (storage.Interface, error) {
			return storage.NewCacher(ctx, db.Client, storage.Config{
				Prefix: prefix + "/", GroupResource: schema.GroupResource{Resource: res.Plural},
				Codec: storage.DefaultCodec(res.GroupVersion), NewFunc: res.New,
			})
		},
		Authenticator: headerUser{},
		Authorizer:    noDeletes{},
		AuditLog:      log,
	})
	if err != nil {
		cancel()
		db.Stop()
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(func() {
		srv.Close()
		cancel()
		db.Stop()
	})
	return srv, log
}

func TestAuditLog(t *testing.T) {
	srv, log := auditServer(t)
	base := srv.URL + "/api/v1/namespaces/audited/configmaps"
	do := func(method, url, user, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		if user != "" {
			req.Header.Set("X-Test-User", user)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "audit-test/1.0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	// A watch that streams: it must deliver the ADDED event while it is
	// open (the status recorder must not swallow Flush), and it is logged
	// when it ends.
	watchCtx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	watchReq, _ := http.NewRequestWithContext(watchCtx, http.MethodGet, base+"?watch=true", nil)
	watchReq.Header.Set("X-Test-User", "bob")
	watchResp, err := http.DefaultClient.Do(watchReq)
	if err != nil {
		t.Fatal(err)
	}
	defer watchResp.Body.Close()
	if watchResp.Header.Get("Audit-Id") == "" {
		t.Error("no Audit-Id response header")
	}

	if resp := do(http.MethodPost, base, "alice", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}`); resp.StatusCode != 201 {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	events := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(watchResp.Body).ReadString('\n')
		events <- line
	}()
	select {
	case line := <-events:
		if !strings.Contains(line, `"type":"ADDED"`) {
			t.Errorf("watch event %q", line)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the watch did not stream its event through the audit wrapper")
	}

	do(http.MethodGet, base+"/c", "alice", "")
	do(http.MethodGet, base+"/missing", "alice", "")
	do(http.MethodDelete, base+"/c", "alice", "")
	do(http.MethodGet, srv.URL+"/version", "", "")
	stopWatch()

	want := []struct {
		user, verb, name, subresource string
		resource                      bool
		code                          int32
	}{
		{"alice", "create", "", "", true, 201},
		{"alice", "get", "c", "", true, 200},
		{"alice", "get", "missing", "", true, 404},
		{"alice", "delete", "c", "", true, 403},
		{authn.Anonymous, "get", "", "", false, 200},
		{"bob", "watch", "", "", true, 200},
	}
	var got []auditEvent
	deadline := time.Now().Add(5 * time.Second)
	for {
		got = log.events(t)
		if len(got) >= len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(got) != len(want) {
		t.Fatalf("%d audit lines, want %d: %+v", len(got), len(want), got)
	}
	for _, w := range want {
		i := slices.IndexFunc(got, func(ev auditEvent) bool {
			return ev.User.Username == w.user && ev.Verb == w.verb && ev.ResponseStatus.Code == w.code
		})
		if i < 0 {
			t.Errorf("no line for %s %s (%d) in %+v", w.user, w.verb, w.code, got)
			continue
		}
		ev := got[i]
		if ev.Kind != "Event" || ev.APIVersion != "audit.k8s.io/v1" || ev.Level != "Metadata" || ev.Stage != "ResponseComplete" || ev.AuditID == "" {
			t.Errorf("event header %+v", ev)
		}
		if ev.StageTimestamp.Before(&ev.RequestReceivedTimestamp) || !slices.Contains(ev.SourceIPs, "127.0.0.1") {
			t.Errorf("timestamps or source IPs %+v", ev)
		}
		if w.user != authn.Anonymous && !slices.Contains(ev.User.Groups, "devs") {
			t.Errorf("groups %v", ev.User.Groups)
		}
		if !w.resource {
			if ev.ObjectRef != nil || ev.RequestURI != "/version" {
				t.Errorf("non-resource line %+v", ev)
			}
			continue
		}
		ref := ev.ObjectRef
		if ref == nil || ref.Resource != "configmaps" || ref.Namespace != "audited" || ref.Name != w.name || ref.APIVersion != "v1" || ref.APIGroup != "" {
			t.Errorf("%s %s: objectRef %+v", w.user, w.verb, ref)
		}
	}
	if i := slices.IndexFunc(got, func(ev auditEvent) bool { return ev.Verb == "create" }); i >= 0 && got[i].UserAgent != "audit-test/1.0" {
		t.Errorf("userAgent %q", got[i].UserAgent)
	}
}

// TestAuditID: a client's Audit-ID is kept, so it can find its requests.
func TestAuditID(t *testing.T) {
	log := &lockedBuffer{}
	s := &Server{audit: &auditSink{w: log}}
	for _, tt := range []struct{ sent, wantSame bool }{{true, true}, {false, false}} {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/pods", nil)
		if tt.sent {
			r.Header.Set("Audit-ID", "my-request-1")
		}
		rec := httptest.NewRecorder()
		w, audit := s.startAudit(rec, r)
		w.WriteHeader(http.StatusNoContent)
		audit.finish()
		id := rec.Header().Get("Audit-Id")
		if (id == "my-request-1") != tt.wantSame || id == "" {
			t.Errorf("sent %v: Audit-Id %q", tt.sent, id)
		}
	}
	evs := log.events(t)
	if len(evs) != 2 || evs[0].AuditID != "my-request-1" || evs[1].ResponseStatus.Code != 204 {
		t.Errorf("events %+v", evs)
	}
}

func TestAuditResponseWriterCode(t *testing.T) {
	tests := []struct {
		name  string
		write func(w *auditResponseWriter)
		want  int
	}{
		{"nothing written", func(*auditResponseWriter) {}, 200},
		{"header", func(w *auditResponseWriter) { w.WriteHeader(404) }, 404},
		{"body only", func(w *auditResponseWriter) { _, _ = w.Write([]byte("x")) }, 200},
		{"flush first", func(w *auditResponseWriter) { w.Flush(); w.WriteHeader(500) }, 200},
		{"interim then final", func(w *auditResponseWriter) { w.WriteHeader(103); w.WriteHeader(201) }, 201},
		{"second header ignored", func(w *auditResponseWriter) { w.WriteHeader(409); w.WriteHeader(200) }, 409},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &auditResponseWriter{ResponseWriter: httptest.NewRecorder()}
			tt.write(w)
			if got := w.code(); got != tt.want {
				t.Errorf("code %d, want %d", got, tt.want)
			}
		})
	}
	// The wrapper is transparent to http.ResponseController.
	w := &auditResponseWriter{ResponseWriter: httptest.NewRecorder()}
	if err := http.NewResponseController(w).Flush(); err != nil {
		t.Errorf("ResponseController.Flush: %v", err)
	}
}
