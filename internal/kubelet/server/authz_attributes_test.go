package server

import (
	"reflect"
	"testing"
)

func TestAuthorizationAttributes(t *testing.T) {
	tests := []struct {
		method, path string
		verb         string
		subs         []string
	}{
		{"GET", "/stats/summary", "get", []string{"stats"}},
		{"GET", "/stats", "get", []string{"stats"}},
		{"GET", "/metrics", "get", []string{"metrics"}},
		{"GET", "/metrics/resource", "get", []string{"metrics"}},
		{"GET", "/metrics/cadvisor", "get", []string{"metrics"}},
		{"GET", "/logs/", "get", []string{"log"}},
		{"GET", "/logs/syslog", "get", []string{"log"}},
		{"GET", "/pods", "get", []string{"pods", "proxy"}},
		{"GET", "/healthz", "get", []string{"healthz", "proxy"}},
		{"GET", "/containerLogs/ns/pod/c", "get", []string{"proxy"}},
		{"POST", "/exec/ns/pod/c", "create", []string{"proxy"}},
		{"GET", "/exec/ns/pod/c", "get", []string{"proxy"}},
		{"POST", "/attach/ns/pod/c", "create", []string{"proxy"}},
		{"POST", "/portForward/ns/pod", "create", []string{"proxy"}},
		{"POST", "/run/ns/pod/c", "create", []string{"proxy"}},
		{"GET", "/spec/", "get", []string{"proxy"}},
		{"GET", "/statsfoo", "get", []string{"proxy"}}, // a prefix of a word is not a subpath
		{"PUT", "/anything", "update", []string{"proxy"}},
		{"PATCH", "/anything", "patch", []string{"proxy"}},
		{"DELETE", "/anything", "delete", []string{"proxy"}},
		{"HEAD", "/healthz", "", []string{"healthz", "proxy"}},
	}
	for _, tt := range tests {
		if got := verbFor(tt.method); got != tt.verb {
			t.Errorf("verbFor(%s) = %q, want %q", tt.method, got, tt.verb)
		}
		if got := subresourcesFor(tt.path); !reflect.DeepEqual(got, tt.subs) {
			t.Errorf("subresourcesFor(%s) = %v, want %v", tt.path, got, tt.subs)
		}
	}
}
