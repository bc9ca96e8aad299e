package pki

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"os"
	"testing"
)

func TestEphemeralClientCert(t *testing.T) {
	b := mustEnsure(t, testOptions(t))
	before, err := os.ReadDir(b.Dir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		cn      string
		orgs    []string
		wantErr bool
	}{
		{"loopback", "system:apiserver", []string{"system:masters"}, false},
		{"no groups", "someone", nil, false},
		{"no name", "", nil, true},
	}
	var first []byte
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certPEM, keyPEM, err := b.EphemeralClientCert(tt.cn, tt.orgs)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v", err)
			}
			if tt.wantErr {
				return
			}
			pair, err := tls.X509KeyPair(certPEM, keyPEM)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pair.Leaf.Verify(x509.VerifyOptions{Roots: b.ClientCA.Pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
				t.Errorf("does not verify against client-ca: %v", err)
			}
			if pair.Leaf.Subject.CommonName != tt.cn || !sameSet(pair.Leaf.Subject.Organization, tt.orgs) {
				t.Errorf("subject %v", pair.Leaf.Subject)
			}
			if first == nil {
				first = certPEM
				again, _, _ := b.EphemeralClientCert(tt.cn, tt.orgs)
				if bytes.Equal(again, first) {
					t.Error("two calls gave the same certificate")
				}
			}
		})
	}
	after, err := os.ReadDir(b.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("ephemeral certificates were written: %d files before, %d after", len(before), len(after))
	}
}
