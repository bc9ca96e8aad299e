package openapi

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestNegotiate(t *testing.T) {
	for _, tc := range []struct {
		accept string
		pb, ok bool
	}{
		{"", false, true},
		{"application/json", false, true},
		{"*/*", false, true},
		{"application/com.github.proto-openapi.spec.v2@v1.0+protobuf", true, true},
		{"application/com.github.proto-openapi.spec.v2.v1.0+protobuf", true, true},
		{"application/json;q=0.5, application/com.github.proto-openapi.spec.v2@v1.0+protobuf", true, true},
		{"application/com.github.proto-openapi.spec.v2@v1.0+protobuf;q=0.1, application/json", false, true},
		{"application/vnd.kubernetes.protobuf, application/json", false, true},
		{"application/vnd.kubernetes.protobuf", false, false},
		{"application/json;q=0", false, false},
	} {
		pb, ok := negotiate(tc.accept, v2ProtobufAliases)
		if pb != tc.pb || ok != tc.ok {
			t.Errorf("negotiate(%q) = %v, %v; want %v, %v", tc.accept, pb, ok, tc.pb, tc.ok)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	for in, want := range map[string]bool{
		"":                  false,
		"gzip":              true,
		"deflate, gzip;q=1": true,
		"gzip;q=0":          false,
		"*":                 true,
		"br":                false,
	} {
		if got := acceptsGzip(in); got != want {
			t.Errorf("acceptsGzip(%q) = %v", in, got)
		}
	}
}

func TestServeCaching(t *testing.T) {
	s := service(t)

	// gzip as stored, with an ETag; the same ETag gets 304.
	req := httptest.NewRequest(http.MethodGet, "/openapi/v2", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip request: %d, encoding %q", rec.Code, rec.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || !json.Valid(plain) {
		t.Fatalf("gzip body is not JSON: %v", err)
	}
	etag := rec.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	req = httptest.NewRequest(http.MethodGet, "/openapi/v2", nil)
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", rec.Code)
	}

	// HEAD has headers, no body.
	req = httptest.NewRequest(http.MethodHead, "/openapi/v2", nil)
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("Content-Length") == "" {
		t.Errorf("HEAD: %d, %d bytes, length %q", rec.Code, rec.Body.Len(), rec.Header().Get("Content-Length"))
	}
}

func TestServeV3Hash(t *testing.T) {
	s := service(t)
	var index v3Index
	if err := json.Unmarshal(get(t, s, "/openapi/v3", "").Body.Bytes(), &index); err != nil {
		t.Fatal(err)
	}
	url := index.Paths["apis/apps/v1"].ServerRelativeURL

	// The current hash may be cached for good.
	rec := get(t, s, url, "application/json")
	if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "public, immutable" {
		t.Errorf("current hash: %d, Cache-Control %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	// A stale hash is redirected to the current one.
	rec = get(t, s, "/openapi/v3/apis/apps/v1?hash=stale", "application/json")
	if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != url {
		t.Errorf("stale hash: %d to %q, want 301 to %q", rec.Code, rec.Header().Get("Location"), url)
	}
	// No hash: served, not marked immutable.
	rec = get(t, s, "/openapi/v3/apis/apps/v1", "application/json")
	if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "" {
		t.Errorf("no hash: %d, Cache-Control %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
}

func TestServeErrors(t *testing.T) {
	s := service(t)
	for _, tc := range []struct {
		method, path, accept string
		code                 int
	}{
		{http.MethodPost, "/openapi/v2", "", http.StatusMethodNotAllowed},
		{http.MethodGet, "/openapi/v4", "", http.StatusNotFound},
		{http.MethodGet, "/openapi/v3/apis/nosuch.example.com/v1", "", http.StatusNotFound},
		{http.MethodGet, "/openapi/v2", "text/html", http.StatusNotAcceptable},
	} {
		req := httptest.NewRequest(tc.method, tc.path, bytes.NewReader(nil))
		if tc.accept != "" {
			req.Header.Set("Accept", tc.accept)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != tc.code {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, rec.Code, tc.code)
		}
		if !strings.Contains(rec.Body.String(), `"kind":"Status"`) {
			t.Errorf("%s %s: answer is not a Status: %s", tc.method, tc.path, rec.Body)
		}
	}
}
