package pki

import (
	"crypto"
	"net"
	"path/filepath"
	"sync"
	"time"
)

// Options says where the server's PKI lives and which names it must cover.
type Options struct {
	Dir           string     // <data-dir>/server/tls
	NodeIP        net.IP     // may be nil
	Hostname      string     // may be empty
	ClusterDomain string     // default cluster.local
	ServiceCIDR   *net.IPNet // its first IP (10.43.0.1) goes into the API serving cert
	SANs          []string   // --tls-san values: IPs or DNS names
}

// Bundle is the server's PKI after EnsureServer: paths and parsed material.
// Fields are read-only for callers.
type Bundle struct {
	Dir string

	ServerCA *CA // signs serving certs
	ClientCA *CA // signs client certs

	Serving *KeyPair // serving-kube-apiserver
	Admin   *KeyPair // client-admin: system:admin / system:masters

	// ServiceKeyFile holds the private key that signs service-account
	// tokens; the API server verifies them with ServiceKey.Public().
	ServiceKeyFile string
	ServiceKey     crypto.Signer

	Etcd EtcdPKI

	// now is the clock; tests move it to exercise renewal.
	now func() time.Time
	// issueMu serialises IssueClientCert and IssueServingCert.
	issueMu sync.Mutex
}

// EtcdPKI is etcd's own trust: clients and peers use separate CAs so that a
// client certificate can never join the raft group.
type EtcdPKI struct {
	ServerCA *CA      // etcd/server-ca: signs Server and Client
	PeerCA   *CA      // etcd/peer-ca: signs Peer
	Server   *KeyPair // etcd/server-client: etcd's serving cert
	Peer     *KeyPair // etcd/peer-server-client: both ends of peer links
	Client   *KeyPair // etcd/client: the API server's identity towards etcd
}

// ServiceAccountPublicKey verifies service-account tokens.
func (b *Bundle) ServiceAccountPublicKey() crypto.PublicKey {
	return b.ServiceKey.Public()
}

// ServerCAPEM is the server CA as stored on disk (what agents trust, and what
// CAHash covers).
func (b *Bundle) ServerCAPEM() []byte { return b.ServerCA.CertPEM }

// ClientCAPEM is the CA that the API server uses to verify client certs.
func (b *Bundle) ClientCAPEM() []byte { return b.ClientCA.CertPEM }

func (b *Bundle) path(name string) string { return filepath.Join(b.Dir, name) }
