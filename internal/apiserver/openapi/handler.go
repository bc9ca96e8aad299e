package openapi

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Media types of the documents. Clients ask for the protobuf forms by the
// "@" spelling (kubectl) or the "." one; upstream answers with the latter.
const (
	mediaJSON       = "application/json"
	mediaV2Protobuf = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
	mediaV3Protobuf = "application/com.github.proto-openapi.spec.v3.v1.0+protobuf"
)

var (
	v2ProtobufAliases = []string{mediaV2Protobuf, "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"}
	v3ProtobufAliases = []string{mediaV3Protobuf, "application/com.github.proto-openapi.spec.v3@v1.0+protobuf"}
)

// ServeHTTP answers GET (and HEAD) on /openapi/v2, /openapi/v3 and
// /openapi/v3/<document>.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeStatus(w, http.StatusMethodNotAllowed, metav1.StatusReasonMethodNotAllowed,
			r.Method+" is not supported on "+r.URL.Path+": the OpenAPI documents are read-only")
		return
	}
	switch p := r.URL.Path; {
	case p == "/openapi/v2":
		s.serveV2(w, r)
	case p == "/openapi/v3" || p == "/openapi/v3/":
		s.serveV3Index(w, r)
	case strings.HasPrefix(p, "/openapi/v3/"):
		s.serveV3(w, r, strings.TrimPrefix(p, "/openapi/v3/"))
	default:
		writeStatus(w, http.StatusNotFound, metav1.StatusReasonNotFound,
			"no OpenAPI document at "+p+": try /openapi/v2 or /openapi/v3")
	}
}

func (s *Service) serveV2(w http.ResponseWriter, r *http.Request) {
	doc, err := s.v2Document()
	if err != nil {
		writeStatus(w, http.StatusInternalServerError, metav1.StatusReasonInternalError, "building the OpenAPI v2 document: "+err.Error())
		return
	}
	serveDocument(w, r, doc, v2ProtobufAliases, nil)
}

func (s *Service) serveV3Index(w http.ResponseWriter, r *http.Request) {
	_, index, err := s.v3Documents()
	if err != nil {
		writeStatus(w, http.StatusInternalServerError, metav1.StatusReasonInternalError, "building the OpenAPI v3 documents: "+err.Error())
		return
	}
	// The index is JSON whatever the client asks for, as upstream's.
	writeBody(w, r, index.json, index.etag, mediaJSON)
}

func (s *Service) serveV3(w http.ResponseWriter, r *http.Request, key string) {
	docs, _, err := s.v3Documents()
	if err != nil {
		writeStatus(w, http.StatusInternalServerError, metav1.StatusReasonInternalError, "building the OpenAPI v3 documents: "+err.Error())
		return
	}
	doc, ok := docs[strings.TrimSuffix(key, "/")]
	if !ok {
		writeStatus(w, http.StatusNotFound, metav1.StatusReasonNotFound,
			"no OpenAPI v3 document for "+key+": /openapi/v3 lists those served")
		return
	}
	serveDocument(w, r, doc, v3ProtobufAliases, func(h http.Header) bool {
		// A URL with ?hash= names one version of the document forever:
		// clients may cache it for good, and a stale hash is sent on to
		// the current one (as upstream does).
		hash := r.URL.Query().Get("hash")
		if hash == "" {
			return true
		}
		if hash != doc.etag {
			http.Redirect(w, r, v3URL(strings.TrimSuffix(key, "/"), doc.etag), http.StatusMovedPermanently)
			return false
		}
		h.Set("Cache-Control", "public, immutable")
		h.Set("Expires", time.Now().AddDate(1, 0, 0).UTC().Format(http.TimeFormat))
		return true
	})
}

// serveDocument answers with the JSON or protobuf form, as Accept says.
// before, when set, may add headers or answer itself (returning false).
func serveDocument(w http.ResponseWriter, r *http.Request, doc *document, pbTypes []string, before func(http.Header) bool) {
	w.Header().Add("Vary", "Accept")
	pb, ok := negotiate(r.Header.Get("Accept"), pbTypes)
	if !ok {
		writeStatus(w, http.StatusNotAcceptable, metav1.StatusReasonNotAcceptable,
			"the OpenAPI documents are served as "+mediaJSON+" or "+pbTypes[0])
		return
	}
	if before != nil && !before(w.Header()) {
		return
	}
	if !pb {
		writeBody(w, r, doc.json, doc.etag, mediaJSON)
		return
	}
	body, err := doc.protobuf()
	if err != nil {
		writeStatus(w, http.StatusInternalServerError, metav1.StatusReasonInternalError, err.Error())
		return
	}
	writeBody(w, r, body, doc.etag+"-pb", pbTypes[0])
}

// negotiate picks the form for an Accept header: protobuf when one of
// pbTypes is the client's best choice, JSON for application/json and
// wildcards. ok is false when the client accepts neither.
func negotiate(accept string, pbTypes []string) (pb, ok bool) {
	if strings.TrimSpace(accept) == "" {
		return false, true
	}
	type clause struct {
		mediaType string
		q         float64
	}
	var clauses []clause
	for _, part := range strings.Split(accept, ",") {
		fields := strings.Split(part, ";")
		c := clause{mediaType: strings.ToLower(strings.TrimSpace(fields[0])), q: 1}
		for _, f := range fields[1:] {
			if k, v, found := strings.Cut(strings.TrimSpace(f), "="); found && strings.TrimSpace(k) == "q" {
				if q, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					c.q = q
				}
			}
		}
		if c.q > 0 && c.mediaType != "" {
			clauses = append(clauses, c)
		}
	}
	sort.SliceStable(clauses, func(i, j int) bool { return clauses[i].q > clauses[j].q })
	for _, c := range clauses {
		switch c.mediaType {
		case mediaJSON, "*/*", "application/*":
			return false, true
		}
		for _, t := range pbTypes {
			if c.mediaType == t {
				return true, true
			}
		}
	}
	return false, false
}

// writeBody sends a compressed body: as is to clients that take gzip
// (Go's HTTP client, hence kubectl, always does), inflated otherwise. An
// If-None-Match with the current ETag gets 304.
func writeBody(w http.ResponseWriter, r *http.Request, body compressed, etag, contentType string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("ETag", strconv.Quote(etag))
	h.Add("Vary", "Accept-Encoding")
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
		h.Set("Content-Length", strconv.Itoa(len(body.gz)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write(body.gz)
		}
		return
	}
	h.Set("Content-Length", strconv.Itoa(body.rawLen))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(body.gz))
	if err != nil {
		return // cannot happen: we compressed it; headers are already out
	}
	_, _ = io.Copy(w, zr)
}

func etagMatches(ifNoneMatch, etag string) bool {
	for _, tag := range strings.Split(ifNoneMatch, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == strconv.Quote(etag) {
			return true
		}
	}
	return false
}

func acceptsGzip(acceptEncoding string) bool {
	for _, part := range strings.Split(acceptEncoding, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "*" {
			continue
		}
		if _, q, found := strings.Cut(params, "q="); found {
			if v, err := strconv.ParseFloat(strings.TrimSpace(q), 64); err == nil && v == 0 {
				continue
			}
		}
		return true
	}
	return false
}

// writeStatus answers an error as the API does: a metav1.Status.
func writeStatus(w http.ResponseWriter, code int, reason metav1.StatusReason, message string) {
	st := metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusFailure, Code: int32(code), Reason: reason, Message: message,
	}
	body, _ := json.Marshal(st)
	h := w.Header()
	h.Del("Content-Encoding")
	h.Set("Content-Type", mediaJSON)
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}
