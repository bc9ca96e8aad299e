package pki

import (
	"crypto"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"slices"
	"time"

	"github.com/sirupsen/logrus"
)

// Leaf certificate lifetimes, as k3s: valid a year, renewed at start when
// fewer than 120 days are left, so a server restarted at least every eight
// months never runs on an expired certificate.
const (
	LeafValidity = 365 * 24 * time.Hour
	RenewBefore  = 120 * 24 * time.Hour
)

// KeyPair is a leaf certificate and its key, on disk and in memory.
type KeyPair struct {
	CertFile string
	KeyFile  string
	CertPEM  []byte
	KeyPEM   []byte
	Cert     *x509.Certificate
	// TLS is ready for tls.Config.Certificates (Leaf is set).
	TLS tls.Certificate
}

// leafSpec is what a leaf must say: identity, names and usage. A cert on
// disk that says all of it, is signed by the CA and is not near expiry is
// kept; anything else is re-issued.
type leafSpec struct {
	cn     string
	orgs   []string
	names  names
	usages []x509.ExtKeyUsage
}

// ensureLeaf loads certFile/keyFile if they still fit spec, and otherwise
// issues a new certificate from ca, keeping the existing key when there is a
// usable one (only the certificate is stale, not the key).
func ensureLeaf(ca *CA, certFile, keyFile string, spec leafSpec, now time.Time) (*KeyPair, error) {
	kp := &KeyPair{CertFile: certFile, KeyFile: keyFile}
	certPEM, err := readOptional(certFile)
	if err != nil {
		return nil, err
	}
	keyPEM, err := readOptional(keyFile)
	if err != nil {
		return nil, err
	}

	var key crypto.Signer
	if keyPEM != nil {
		if key, err = parseKey(keyPEM); err != nil {
			// A corrupt key is replaced below, with its certificate.
			logrus.WithField("component", "pki").Warnf("replacing unreadable key %s: %v", keyFile, err)
			key, keyPEM = nil, nil
		}
	}
	if certPEM != nil && key != nil {
		reason := spec.staleReason(ca, certPEM, key, now)
		if reason == "" {
			return kp, kp.load(certPEM, keyPEM)
		}
		logrus.WithField("component", "pki").Infof("re-issuing %s: %s", certFile, reason)
	}

	if key == nil {
		if key, err = newKey(); err != nil {
			return nil, err
		}
		if keyPEM, err = encodeKey(key); err != nil {
			return nil, err
		}
		// Key first: a crash between the two writes leaves a key without a
		// certificate, which the next start completes.
		if err := writeFileAtomic(keyFile, keyPEM, keyMode); err != nil {
			return nil, err
		}
	}
	der, err := spec.issue(ca, key, now)
	if err != nil {
		return nil, fmt.Errorf("issue %s: %w", certFile, err)
	}
	certPEM = encodeCert(der)
	if err := writeFileAtomic(certFile, certPEM, certMode); err != nil {
		return nil, err
	}
	return kp, kp.load(certPEM, keyPEM)
}

// staleReason says why the certificate in certPEM cannot be kept, or "" if
// it can.
func (s leafSpec) staleReason(ca *CA, certPEM []byte, key crypto.Signer, now time.Time) string {
	cert, err := parseCert(certPEM)
	switch {
	case err != nil:
		return "unreadable: " + err.Error()
	case !sameKey(cert.PublicKey, key):
		return "certificate does not match its key"
	case cert.CheckSignatureFrom(ca.Cert) != nil:
		return "not signed by the current CA " + ca.CertFile
	case now.Before(cert.NotBefore):
		return "not valid yet"
	case now.Add(RenewBefore).After(cert.NotAfter):
		return "expires " + cert.NotAfter.Format(time.RFC3339)
	case cert.Subject.CommonName != s.cn || !sameSet(cert.Subject.Organization, s.orgs):
		return "subject changed"
	case !sameUsages(cert.ExtKeyUsage, s.usages):
		return "key usage changed"
	}
	if missing := s.names.missingFrom(cert.DNSNames, cert.IPAddresses); len(missing) > 0 {
		return fmt.Sprintf("SANs lack %v", missing)
	}
	return ""
}

// issue signs a new certificate for key. Its lifetime never outlasts the CA's.
func (s leafSpec) issue(ca *CA, key crypto.Signer, now time.Time) ([]byte, error) {
	serial, err := newSerial()
	if err != nil {
		return nil, err
	}
	notAfter := now.Add(LeafValidity)
	if notAfter.After(ca.Cert.NotAfter) {
		notAfter = ca.Cert.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: s.cn, Organization: s.orgs},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              notAfter,
		KeyUsage:              keyUsage(key),
		ExtKeyUsage:           s.usages,
		BasicConstraintsValid: true,
		DNSNames:              s.names.dns,
		IPAddresses:           s.names.ips,
	}
	return x509.CreateCertificate(nil, tmpl, ca.Cert, key.Public(), ca.Key)
}

// keyUsage adds KeyEncipherment only for RSA keys, the one kind whose TLS
// key exchange can use it; for ECDSA it would be meaningless.
func keyUsage(key crypto.Signer) x509.KeyUsage {
	if _, ok := key.(*rsa.PrivateKey); ok {
		return x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	}
	return x509.KeyUsageDigitalSignature
}

// load fills the in-memory forms from PEM already known to match.
func (kp *KeyPair) load(certPEM, keyPEM []byte) error {
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return fmt.Errorf("load %s and %s: %w", kp.CertFile, kp.KeyFile, err)
	}
	kp.CertPEM, kp.KeyPEM = certPEM, keyPEM
	kp.Cert, kp.TLS = pair.Leaf, pair
	return nil
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

func sameUsages(a, b []x509.ExtKeyUsage) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
