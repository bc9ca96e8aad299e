package pki

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// EnsureServer loads the server's PKI from opts.Dir, creating what is
// missing and re-issuing leaves that no longer fit (see the package doc).
// Calling it again with the same options writes nothing.
func EnsureServer(opts Options) (*Bundle, error) {
	return ensureServer(opts, time.Now)
}

// Extended key usages. etcd presents the same certificate when it serves and
// when it dials (peers, its own gateway), so its certs carry both.
var (
	serverAuth = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	clientAuth = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	bothAuth   = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
)

func ensureServer(opts Options, now func() time.Time) (*Bundle, error) {
	b, err := loadServer(opts, now)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	return b, nil
}

// loadServer does EnsureServer's work in dependency order: CAs, then the
// leaves they sign, then the service-account key.
func loadServer(opts Options, now func() time.Time) (b *Bundle, err error) {
	if opts.Dir == "" {
		return nil, errors.New("Options.Dir is empty")
	}
	dir, etcdDir := opts.Dir, filepath.Join(opts.Dir, "etcd")
	if err := os.MkdirAll(etcdDir, dirMode); err != nil {
		return nil, err
	}
	t := now()
	b = &Bundle{Dir: dir, now: now}
	if b.ServerCA, err = ensureCA(dir, "server-ca", t); err != nil {
		return nil, err
	}
	if b.ClientCA, err = ensureCA(dir, "client-ca", t); err != nil {
		return nil, err
	}
	if b.Etcd.ServerCA, err = ensureCA(etcdDir, "server-ca", t); err != nil {
		return nil, err
	}
	if b.Etcd.PeerCA, err = ensureCA(etcdDir, "peer-ca", t); err != nil {
		return nil, err
	}

	leaves := []struct {
		dst  **KeyPair
		ca   *CA
		path string // without .crt/.key
		spec leafSpec
	}{
		{&b.Serving, b.ServerCA, filepath.Join(dir, "serving-kube-apiserver"),
			leafSpec{cn: "kube-apiserver", names: opts.servingNames(), usages: serverAuth}},
		{&b.Admin, b.ClientCA, filepath.Join(dir, "client-admin"),
			leafSpec{cn: "system:admin", orgs: []string{"system:masters"}, usages: clientAuth}},
		{&b.Etcd.Server, b.Etcd.ServerCA, filepath.Join(etcdDir, "server-client"),
			leafSpec{cn: "etcd-server", names: opts.etcdNames(), usages: bothAuth}},
		{&b.Etcd.Peer, b.Etcd.PeerCA, filepath.Join(etcdDir, "peer-server-client"),
			leafSpec{cn: "etcd-peer", names: opts.etcdNames(), usages: bothAuth}},
		{&b.Etcd.Client, b.Etcd.ServerCA, filepath.Join(etcdDir, "client"),
			leafSpec{cn: "etcd-client", usages: clientAuth}},
	}
	for _, l := range leaves {
		if *l.dst, err = ensureLeaf(l.ca, l.path+".crt", l.path+".key", l.spec, t); err != nil {
			return nil, err
		}
	}

	b.ServiceKeyFile = filepath.Join(dir, "service.key")
	if b.ServiceKey, err = ensureKey(b.ServiceKeyFile); err != nil {
		return nil, err
	}
	return b, nil
}
