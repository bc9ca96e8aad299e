package server

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"github.com/hanok-dev/hanok/internal/etcd"
	"github.com/hanok-dev/hanok/internal/pki"
)

// startEtcd starts the embedded member: clients on 127.0.0.1 only (the API
// server is its one client), peers on the node IP for HA joins later.
func startEtcd(ctx context.Context, cfg *Config, p paths, b *pki.Bundle) (*etcd.Server, error) {
	peerHost := "127.0.0.1"
	if cfg.ClusterInit && cfg.NodeIP != nil {
		peerHost = cfg.NodeIP.String()
	}
	server, err := etcd.Start(ctx, etcd.Config{
		DataDir:   p.etcd,
		ClientURL: "https://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.EtcdClientPort)),
		PeerURL:   "https://" + net.JoinHostPort(peerHost, strconv.Itoa(cfg.EtcdPeerPort)),
		ServerTLS: etcd.TLSFiles{CertFile: b.Etcd.Server.CertFile, KeyFile: b.Etcd.Server.KeyFile, CAFile: b.Etcd.ServerCA.CertFile},
		PeerTLS:   etcd.TLSFiles{CertFile: b.Etcd.Peer.CertFile, KeyFile: b.Etcd.Peer.KeyFile, CAFile: b.Etcd.PeerCA.CertFile},
		ClientTLS: etcd.TLSFiles{CertFile: b.Etcd.Client.CertFile, KeyFile: b.Etcd.Client.KeyFile, CAFile: b.Etcd.ServerCA.CertFile},
	})
	if err != nil {
		return nil, fmt.Errorf("starting etcd: %w", err)
	}
	return server, nil
}
