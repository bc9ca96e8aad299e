package pki

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"path/filepath"
	"time"
)

// CAValidity is how long a new CA is valid. CAs are never renewed
// automatically: every node and kubeconfig trusts them, so replacing one is
// an explicit rotation, not a side effect of a restart.
const CAValidity = 10 * 365 * 24 * time.Hour

// clockSkew backdates NotBefore so a node whose clock is a little behind the
// server's still accepts a certificate issued a moment ago.
const clockSkew = time.Hour

// CA is a certificate authority on disk and in memory.
type CA struct {
	CertFile string
	KeyFile  string
	// CertPEM is exactly the bytes of CertFile: CAHash is computed over them,
	// so they must never be re-encoded.
	CertPEM []byte
	Cert    *x509.Certificate
	Key     crypto.Signer
	// Pool holds just this CA, for RootCAs / ClientCAs.
	Pool *x509.CertPool
}

// ensureCA loads <dir>/<name>.{crt,key} or creates them. A certificate
// without its key is an error rather than a reason to make a new CA: the
// operator placed a CA we cannot sign with, and silently replacing it would
// cut off everything that trusts it.
func ensureCA(dir, name string, now time.Time) (*CA, error) {
	ca := &CA{
		CertFile: filepath.Join(dir, name+".crt"),
		KeyFile:  filepath.Join(dir, name+".key"),
	}
	certPEM, err := readOptional(ca.CertFile)
	if err != nil {
		return nil, err
	}
	keyPEM, err := readOptional(ca.KeyFile)
	if err != nil {
		return nil, err
	}
	switch {
	case certPEM != nil && keyPEM == nil:
		return nil, fmt.Errorf("CA certificate %s exists but its key %s does not; restore the key or remove both to create a new CA (all certificates and kubeconfigs it signed will stop working)", ca.CertFile, ca.KeyFile)
	case certPEM != nil:
		return ca, ca.load(certPEM, keyPEM, now)
	}

	var key crypto.Signer
	if keyPEM != nil {
		// A key without a certificate (e.g. an interrupted first start):
		// keep the key, self-sign a new certificate for it.
		if key, err = parseKey(keyPEM); err != nil {
			return nil, fmt.Errorf("parse %s: %w", ca.KeyFile, err)
		}
	} else {
		if key, err = newKey(); err != nil {
			return nil, err
		}
		if keyPEM, err = encodeKey(key); err != nil {
			return nil, err
		}
		if err := writeFileAtomic(ca.KeyFile, keyPEM, keyMode); err != nil {
			return nil, err
		}
	}
	serial, err := newSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		// The timestamp makes each CA's subject unique, as k3s does
		// ("k3s-server-ca@<unix>"), so a replaced CA is never confused with
		// the old one when chains are built.
		Subject:               pkix.Name{CommonName: fmt.Sprintf("hanok-%s@%d", name, now.Unix())},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              now.Add(CAValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("create CA %s: %w", name, err)
	}
	certPEM = encodeCert(der)
	if err := writeFileAtomic(ca.CertFile, certPEM, certMode); err != nil {
		return nil, err
	}
	return ca, ca.load(certPEM, keyPEM, now)
}

// load parses and checks CA material read from disk.
func (ca *CA) load(certPEM, keyPEM []byte, now time.Time) error {
	cert, err := parseCert(certPEM)
	if err != nil {
		return fmt.Errorf("parse %s: %w", ca.CertFile, err)
	}
	key, err := parseKey(keyPEM)
	if err != nil {
		return fmt.Errorf("parse %s: %w", ca.KeyFile, err)
	}
	if !cert.IsCA {
		return fmt.Errorf("%s is not a CA certificate", ca.CertFile)
	}
	if !sameKey(cert.PublicKey, key) {
		return fmt.Errorf("%s does not match the key in %s", ca.CertFile, ca.KeyFile)
	}
	if now.After(cert.NotAfter) {
		return fmt.Errorf("CA %s expired on %s; rotate the CA", ca.CertFile, cert.NotAfter.Format(time.RFC3339))
	}
	ca.CertPEM, ca.Cert, ca.Key = certPEM, cert, key
	ca.Pool = x509.NewCertPool()
	ca.Pool.AddCert(cert)
	return nil
}
