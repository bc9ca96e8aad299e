package storage

import (
	"encoding/base64"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

func TestContinueToken(t *testing.T) {
	tok, err := encodeContinue("/registry/pods/ns/b\x00", "/registry/pods/", 42)
	if err != nil {
		t.Fatal(err)
	}
	key, rev, err := decodeContinue(tok, "/registry/pods/")
	if err != nil || key != "/registry/pods/ns/b\x00" || rev != 42 {
		t.Fatalf("round trip: %q %d %v", key, rev, err)
	}
	if _, err := encodeContinue("/other/x", "/registry/pods/", 1); err == nil {
		t.Fatal("encoded a key outside the prefix")
	}

	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, tt := range []struct{ name, token string }{
		{"not base64", "%%%"},
		{"not json", enc("nope")},
		{"unknown version", enc(`{"v":"x","rv":1,"start":"a"}`)},
		{"zero rv", enc(`{"v":"meta.k8s.io/v1","rv":0,"start":"a"}`)},
		{"empty start", enc(`{"v":"meta.k8s.io/v1","rv":1,"start":""}`)},
		{"path traversal", enc(`{"v":"meta.k8s.io/v1","rv":1,"start":"../secrets/x"}`)},
	} {
		if _, _, err := decodeContinue(tt.token, "/registry/pods/"); !apierrors.IsBadRequest(err) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}
