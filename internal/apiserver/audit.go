package apiserver

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apimachinery/pkg/util/uuid"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// auditEvent is an audit.k8s.io/v1 Event at the Metadata level: who did
// what to which object, and the answer's code, never the bodies. It is
// declared here, field for field as upstream's wire format, rather than
// importing k8s.io/apiserver for one struct; tools that read upstream's
// audit log (jq recipes, log shippers) read this one.
type auditEvent struct {
	Kind                     string                    `json:"kind"`
	APIVersion               string                    `json:"apiVersion"`
	Level                    string                    `json:"level"`
	AuditID                  types.UID                 `json:"auditID"`
	Stage                    string                    `json:"stage"`
	RequestURI               string                    `json:"requestURI"`
	Verb                     string                    `json:"verb"`
	User                     authenticationv1.UserInfo `json:"user"`
	SourceIPs                []string                  `json:"sourceIPs,omitempty"`
	UserAgent                string                    `json:"userAgent,omitempty"`
	ObjectRef                *auditObjectRef           `json:"objectRef,omitempty"`
	ResponseStatus           *metav1.Status            `json:"responseStatus,omitempty"`
	RequestReceivedTimestamp metav1.MicroTime          `json:"requestReceivedTimestamp"`
	StageTimestamp           metav1.MicroTime          `json:"stageTimestamp"`
}

type auditObjectRef struct {
	Resource    string `json:"resource,omitempty"`
	Namespace   string `json:"namespace,omitempty"`
	Name        string `json:"name,omitempty"`
	APIGroup    string `json:"apiGroup,omitempty"`
	APIVersion  string `json:"apiVersion,omitempty"`
	Subresource string `json:"subresource,omitempty"`
}

// auditRecord follows one request through ServeHTTP. A nil record (audit
// off) ignores every call, so ServeHTTP needs no conditionals.
type auditRecord struct {
	sink     *auditSink
	r        *http.Request
	w        *auditResponseWriter
	id       types.UID
	received time.Time
	info     *RequestInfo
	user     *authn.User
}

// maxAuditIDLength bounds a client-chosen Audit-ID: it is copied into
// every line of the log.
const maxAuditIDLength = 64

// startAudit begins the record of r and returns the writer the request
// must be answered through (so the code is seen). The audit ID is the
// client's Audit-ID header when it sent one, as upstream, so a client can
// find its requests in the log; it is echoed in the response either way.
func (s *Server) startAudit(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *auditRecord) {
	if s.audit == nil {
		return w, nil
	}
	id := types.UID(r.Header.Get("Audit-ID"))
	if id == "" || len(id) > maxAuditIDLength {
		id = uuid.NewUUID()
	}
	w.Header().Set("Audit-Id", string(id))
	rec := &auditRecord{sink: s.audit, r: r, w: &auditResponseWriter{ResponseWriter: w}, id: id, received: time.Now()}
	return rec.w, rec
}

func (rec *auditRecord) setRequest(info *RequestInfo) {
	if rec != nil {
		rec.info = info
	}
}

func (rec *auditRecord) setUser(u *authn.User) {
	if rec != nil {
		rec.user = u
	}
}

// finish writes the request's line, once it has been answered (for a
// watch: once it has ended), as upstream's ResponseComplete stage.
func (rec *auditRecord) finish() {
	if rec == nil {
		return
	}
	ev := auditEvent{
		Kind: "Event", APIVersion: "audit.k8s.io/v1", Level: "Metadata",
		AuditID: rec.id, Stage: "ResponseComplete",
		RequestURI:               rec.r.URL.RequestURI(),
		UserAgent:                rec.r.UserAgent(),
		ResponseStatus:           &metav1.Status{Code: int32(rec.w.code())},
		RequestReceivedTimestamp: metav1.NewMicroTime(rec.received),
		StageTimestamp:           metav1.NewMicroTime(time.Now()),
	}
	for _, ip := range utilnet.SourceIPs(rec.r) {
		ev.SourceIPs = append(ev.SourceIPs, ip.String())
	}
	if rec.user != nil {
		ev.User = authenticationv1.UserInfo{Username: rec.user.Name, UID: rec.user.UID, Groups: slices.Clone(rec.user.Groups)}
	}
	if info := rec.info; info != nil {
		ev.Verb = info.Verb
		if info.IsResourceRequest {
			ev.ObjectRef = &auditObjectRef{
				Resource: info.Resource, Namespace: info.Namespace, Name: info.Name,
				APIGroup: info.APIGroup, APIVersion: info.APIVersion, Subresource: info.Subresource,
			}
		}
	}
	rec.sink.write(&ev)
}

// auditSink serializes lines onto the configured writer: one whole line
// per Write, one Write at a time, whatever the writer.
type auditSink struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *auditSink) write(ev *auditEvent) {
	line, err := json.Marshal(ev)
	if err != nil {
		return // cannot happen: every field is a plain value
	}
	line = append(line, '\n')
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = s.w.Write(line)
}

// auditResponseWriter records the status code of a response. It keeps
// what watches and upgrades need from the writer underneath: Flush,
// Hijack, and Unwrap for http.ResponseController.
type auditResponseWriter struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (w *auditResponseWriter) WriteHeader(code int) {
	// 1xx answers other than an upgrade are interim; the final one follows.
	if w.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *auditResponseWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets a watch stream through the wrapper.
func (w *auditResponseWriter) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack lets exec, attach and port-forward upgrade the connection.
func (w *auditResponseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, http.ErrNotSupported
	}
	w.hijacked = true
	return h.Hijack()
}

func (w *auditResponseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// code is the status the client got: 200 for a handler that wrote
// nothing (net/http's answer), 101 for an upgraded connection.
func (w *auditResponseWriter) code() int {
	switch {
	case w.status != 0:
		return w.status
	case w.hijacked:
		return http.StatusSwitchingProtocols
	}
	return http.StatusOK
}
