package pki

import (
	"fmt"
	"path/filepath"
	"regexp"
)

// validName keeps IssueClientCert's name a plain file-name fragment: it ends
// up in client-<name>.crt inside Dir and must not walk out of it.
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// IssueClientCert returns a client certificate signed by the client CA for
// the identity cn / orgs (user and groups, as the API server reads them), for
// example "system:kube-scheduler", or "system:node:<n>" in "system:nodes".
// It is stored as client-<name>.{crt,key} in Dir and reused on later calls
// while it is valid, not near expiry and still names cn and orgs.
func (b *Bundle) IssueClientCert(name, cn string, orgs []string) (certPEM, keyPEM []byte, err error) {
	if !validName.MatchString(name) {
		return nil, nil, fmt.Errorf("pki: invalid client cert name %q: use letters, digits, '.', '_' or '-'", name)
	}
	if cn == "" {
		return nil, nil, fmt.Errorf("pki: client cert %q: empty common name", name)
	}
	b.issueMu.Lock()
	defer b.issueMu.Unlock()
	base := filepath.Join(b.Dir, "client-"+name)
	spec := leafSpec{cn: cn, orgs: orgs, usages: clientAuth}
	kp, err := ensureLeaf(b.ClientCA, base+".crt", base+".key", spec, b.now())
	if err != nil {
		return nil, nil, fmt.Errorf("pki: %w", err)
	}
	return kp.CertPEM, kp.KeyPEM, nil
}
