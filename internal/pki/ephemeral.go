package pki

import "fmt"

// EphemeralClientCert returns a client certificate signed by the client CA
// for cn / orgs that exists only in memory: it is never written to Dir, so
// it lives as long as the process holding it. The API server's loopback
// client uses one for system:masters, which must not become one more
// cluster-admin credential on disk besides the admin kubeconfig.
func (b *Bundle) EphemeralClientCert(cn string, orgs []string) (certPEM, keyPEM []byte, err error) {
	if cn == "" {
		return nil, nil, fmt.Errorf("pki: ephemeral client cert: empty common name")
	}
	key, err := newKey()
	if err != nil {
		return nil, nil, fmt.Errorf("pki: %w", err)
	}
	der, err := leafSpec{cn: cn, orgs: orgs, usages: clientAuth}.issue(b.ClientCA, key, b.now())
	if err != nil {
		return nil, nil, fmt.Errorf("pki: issuing ephemeral client cert for %s: %w", cn, err)
	}
	keyPEM, err = encodeKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("pki: %w", err)
	}
	return encodeCert(der), keyPEM, nil
}
