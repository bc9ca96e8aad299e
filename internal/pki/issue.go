package pki

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// validName keeps an issued cert's name a plain file-name fragment: it ends
// up in client-<name>.crt inside Dir and must not walk out of it.
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// reserved are names whose files EnsureServer manages; issuing over them
// would silently change the Bundle's own certificates.
var reserved = map[string]bool{"client-admin": true, "serving-kube-apiserver": true}

// checkName vets base ("<kind>-<name>") before it becomes a file name.
func checkName(kind, base string) error {
	if !validName.MatchString(strings.TrimPrefix(base, kind+"-")) {
		return fmt.Errorf("pki: invalid %s cert name %q: use letters, digits, '.', '_' or '-'", kind, base)
	}
	if reserved[base] {
		return fmt.Errorf("pki: %s is managed by EnsureServer; pick another name", base)
	}
	return nil
}

// IssueClientCert returns a client certificate signed by the client CA for
// the identity cn / orgs (user and groups, as the API server reads them), for
// example "system:kube-scheduler", or "system:node:<n>" in "system:nodes".
// It is stored as client-<name>.{crt,key} in Dir and reused on later calls
// while it is valid, not near expiry and still names cn and orgs.
func (b *Bundle) IssueClientCert(name, cn string, orgs []string) (certPEM, keyPEM []byte, err error) {
	if err := checkName("client", "client-"+name); err != nil {
		return nil, nil, err
	}
	if cn == "" {
		return nil, nil, fmt.Errorf("pki: client cert %q: empty common name", name)
	}
	return b.issue(b.ClientCA, "client-"+name, leafSpec{cn: cn, orgs: orgs, usages: clientAuth})
}

// IssueServingCert returns a serving certificate signed by the server CA
// for hosts (IPs or DNS names), e.g. a kubelet's own HTTPS endpoint. It is
// stored as serving-<name>.{crt,key} in Dir and reused while it is valid,
// not near expiry and covers hosts.
func (b *Bundle) IssueServingCert(name string, hosts []string) (certPEM, keyPEM []byte, err error) {
	if err := checkName("serving", "serving-"+name); err != nil {
		return nil, nil, err
	}
	var n names
	n.add(hosts...)
	if len(n.dns)+len(n.ips) == 0 {
		return nil, nil, fmt.Errorf("pki: serving cert %q: no hosts", name)
	}
	// The CN is only a label (clients verify SANs), so it is the stable name
	// rather than a host that may change between calls.
	return b.issue(b.ServerCA, "serving-"+name, leafSpec{cn: name, names: n, usages: serverAuth})
}

// issue ensures <Dir>/<base>.{crt,key} under issueMu, so two callers asking
// for the same file at once cannot interleave key and certificate writes.
func (b *Bundle) issue(ca *CA, base string, spec leafSpec) (certPEM, keyPEM []byte, err error) {
	b.issueMu.Lock()
	defer b.issueMu.Unlock()
	path := filepath.Join(b.Dir, base)
	kp, err := ensureLeaf(ca, path+".crt", path+".key", spec, b.now())
	if err != nil {
		return nil, nil, fmt.Errorf("pki: %w", err)
	}
	return kp.CertPEM, kp.KeyPEM, nil
}
