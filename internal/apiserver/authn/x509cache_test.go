package authn

import (
	"crypto/tls"
	"crypto/x509"
	"net/http/httptest"
	"testing"
	"time"
)

// TestX509VerifiedChainCache: a chain verified once is trusted on later
// requests until it expires; a failure is checked again every time.
func TestX509VerifiedChainCache(t *testing.T) {
	ca, caKey := newCert(t, "client-ca", nil, nil, nil, true)
	other, otherKey := newCert(t, "other-ca", nil, nil, nil, true)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	alice, _ := newCert(t, "alice", []string{"dev"}, ca, caKey, false)
	mallory, _ := newCert(t, "mallory", []string{"system:masters"}, other, otherKey, false)
	auth := X509{Roots: pool}

	authenticate := func(c *x509.Certificate) (bool, error) {
		r := httptest.NewRequest("GET", "/api", nil)
		r.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{c}}
		_, ok, err := auth.Authenticate(r)
		return ok, err
	}
	now := time.Now()
	tests := []struct {
		name      string
		cert      *x509.Certificate
		wantOK    bool
		wantKnown bool // in the cache afterwards
	}{
		{"first request verifies", alice, true, true},
		{"second request is served from the cache", alice, true, true},
		{"another CA fails", mallory, false, false},
		{"and fails again, never cached", mallory, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := authenticate(tt.cert)
			if ok != tt.wantOK || (err != nil) == tt.wantOK {
				t.Fatalf("ok=%v err=%v", ok, err)
			}
			chain := []*x509.Certificate{tt.cert}
			if got := chainCache.known(pool, chain, now); got != tt.wantKnown {
				t.Fatalf("known=%v, want %v", got, tt.wantKnown)
			}
		})
	}
	if chainCache.known(pool, []*x509.Certificate{alice}, alice.NotAfter.Add(time.Second)) {
		t.Error("an expired chain is still trusted")
	}
	otherPool := x509.NewCertPool()
	otherPool.AddCert(other)
	if chainCache.known(otherPool, []*x509.Certificate{alice}, now) {
		t.Error("a chain verified against one pool is trusted for another")
	}
}
