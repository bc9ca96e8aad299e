package authn

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/http/httptest"
	"testing"
	"time"
)

func newCert(t *testing.T, cn string, orgs []string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, isCA bool) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn, Organization: orgs},
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		KeyUsage:    x509.KeyUsageDigitalSignature,
	}
	if isCA {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func TestX509(t *testing.T) {
	ca, caKey := newCert(t, "client-ca", nil, nil, nil, true)
	other, otherKey := newCert(t, "other-ca", nil, nil, nil, true)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	alice, _ := newCert(t, "alice", []string{"dev", "ops"}, ca, caKey, false)
	mallory, _ := newCert(t, "mallory", []string{"system:masters"}, other, otherKey, false)
	nameless, _ := newCert(t, "", nil, ca, caKey, false)

	tests := []struct {
		name     string
		state    *tls.ConnectionState
		wantUser string
		wantOK   bool
		wantErr  bool
	}{
		{"no TLS", nil, "", false, false},
		{"no certificate", &tls.ConnectionState{}, "", false, false},
		{"verified by the handshake", &tls.ConnectionState{PeerCertificates: []*x509.Certificate{alice},
			VerifiedChains: [][]*x509.Certificate{{alice, ca}}}, "alice", true, false},
		{"verified here", &tls.ConnectionState{PeerCertificates: []*x509.Certificate{alice}}, "alice", true, false},
		{"another CA", &tls.ConnectionState{PeerCertificates: []*x509.Certificate{mallory}}, "", false, true},
		{"another CA, verified by a wider handshake", &tls.ConnectionState{PeerCertificates: []*x509.Certificate{mallory},
			VerifiedChains: [][]*x509.Certificate{{mallory, other}}}, "", false, true},
		{"no common name", &tls.ConnectionState{PeerCertificates: []*x509.Certificate{nameless}}, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api", nil)
			r.TLS = tt.state
			u, ok, err := X509{Roots: pool}.Authenticate(r)
			if (err != nil) != tt.wantErr || ok != tt.wantOK {
				t.Fatalf("ok=%v err=%v", ok, err)
			}
			if ok && (u.Name != tt.wantUser || len(u.Groups) != 2) {
				t.Fatalf("user %+v", u)
			}
		})
	}
}
