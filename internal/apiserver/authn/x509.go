package authn

import (
	"crypto/x509"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// X509 authenticates client certificates signed by the client CA: the
// user is the certificate's CN and the groups its O values, as upstream does.
type X509 struct {
	// Roots verifies the chain; the TLS layer asks for (but does not
	// require) a client certificate, so the check happens here.
	Roots *x509.CertPool
}

// trustedRoots remembers which chain roots are in an X509's Roots, so a
// chain the TLS handshake already verified costs a map lookup, not a
// signature check, on every request.
var trustedRoots sync.Map // string(root.Raw) + pool pointer -> bool

// Authenticate implements Authenticator.
func (a X509) Authenticate(r *http.Request) (*User, bool, error) {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return nil, false, nil
	}
	leaf := r.TLS.PeerCertificates[0]
	// When the TLS handshake already verified the chain against the client
	// CA (ClientCAs with VerifyClientCertIfGiven), verifying again on every
	// request would cost an ECDSA check each time.
	if len(r.TLS.VerifiedChains) > 0 && a.verifiedBySameRoots(r) {
		return userOf(leaf)
	}
	// The API server only requests certificates (tls.RequestClientCert), so
	// that one from another CA gets a 401 here rather than a handshake
	// failure; a chain that verified before is trusted until it expires.
	if a.Roots != nil && chainCache.known(a.Roots, r.TLS.PeerCertificates, time.Now()) {
		return userOf(leaf)
	}
	inter := x509.NewCertPool()
	for _, c := range r.TLS.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	verified, err := leaf.Verify(x509.VerifyOptions{
		Roots: a.Roots, Intermediates: inter,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return nil, false, fmt.Errorf("verifying certificate %q: %w", leaf.Subject.CommonName, err)
	}
	if a.Roots != nil {
		chainCache.remember(a.Roots, r.TLS.PeerCertificates, verified)
	}
	return userOf(leaf)
}

// verifiedBySameRoots tells whether the handshake's verified chain ends in
// one of our roots (the TLS layer may trust more CAs than this
// authenticator).
func (a X509) verifiedBySameRoots(r *http.Request) bool {
	if a.Roots == nil {
		return false
	}
	for _, chain := range r.TLS.VerifiedChains {
		root := chain[len(chain)-1]
		key := fmt.Sprintf("%p/%s", a.Roots, root.Raw)
		known, ok := trustedRoots.Load(key)
		if !ok {
			_, err := root.Verify(x509.VerifyOptions{Roots: a.Roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
			known = err == nil
			trustedRoots.Store(key, known)
		}
		if known.(bool) {
			return true
		}
	}
	return false
}

func userOf(leaf *x509.Certificate) (*User, bool, error) {
	if leaf.Subject.CommonName == "" {
		return nil, false, fmt.Errorf("client certificate has no common name")
	}
	groups := append([]string(nil), leaf.Subject.Organization...)
	return &User{Name: leaf.Subject.CommonName, Groups: groups}, true, nil
}
