package authn

import (
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"sync"
	"time"
)

// verifiedChains remembers client certificate chains that verified against
// a pool, until the first certificate in them expires. The API server asks
// for client certificates without having the TLS layer verify them (a
// certificate from another CA must get a 401 Status, not a failed
// handshake), so without this every request would pay a signature check;
// with it, a connection's requests after the first cost one hash.
// Failures are never cached: a wrong certificate is checked again each time.
type verifiedChains struct {
	mu      sync.RWMutex
	entries map[string]time.Time // pool + chain digest -> expiry
}

// maxVerifiedChains bounds the cache; past it the cache starts over, which
// only costs one verification per live client.
const maxVerifiedChains = 4096

var chainCache = &verifiedChains{entries: map[string]time.Time{}}

func chainKey(roots *x509.CertPool, chain []*x509.Certificate) string {
	h := sha256.New()
	for _, c := range chain {
		h.Write(c.Raw)
	}
	return fmt.Sprintf("%p/%x", roots, h.Sum(nil))
}

// known tells whether chain verified against roots before and has not
// expired since.
func (v *verifiedChains) known(roots *x509.CertPool, chain []*x509.Certificate, now time.Time) bool {
	v.mu.RLock()
	exp, ok := v.entries[chainKey(roots, chain)]
	v.mu.RUnlock()
	return ok && now.Before(exp)
}

// remember records that chain verified against roots; it stays trusted
// until the earliest NotAfter of the certificates that took part.
func (v *verifiedChains) remember(roots *x509.CertPool, chain []*x509.Certificate, verified [][]*x509.Certificate) {
	exp := chain[0].NotAfter
	for _, path := range verified {
		for _, c := range path {
			if c.NotAfter.Before(exp) {
				exp = c.NotAfter
			}
		}
	}
	key := chainKey(roots, chain)
	v.mu.Lock()
	if len(v.entries) >= maxVerifiedChains {
		v.entries = map[string]time.Time{}
	}
	v.entries[key] = exp
	v.mu.Unlock()
}
