package authn

import (
	"crypto/x509"
	"fmt"
	"net/http"
)

// X509 authenticates client certificates signed by the client CA: the
// user is the certificate's CN and the groups its O values, as upstream does.
type X509 struct {
	// Roots verifies the chain; the TLS layer asks for (but does not
	// require) a client certificate, so the check happens here.
	Roots *x509.CertPool
}

// Authenticate implements Authenticator.
func (a X509) Authenticate(r *http.Request) (*User, bool, error) {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return nil, false, nil
	}
	leaf := r.TLS.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, c := range r.TLS.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{
		Roots: a.Roots, Intermediates: inter,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}); err != nil {
		return nil, false, fmt.Errorf("verifying certificate %q: %w", leaf.Subject.CommonName, err)
	}
	if leaf.Subject.CommonName == "" {
		return nil, false, fmt.Errorf("client certificate has no common name")
	}
	groups := append([]string(nil), leaf.Subject.Organization...)
	return &User{Name: leaf.Subject.CommonName, Groups: groups}, true, nil
}
