package pki

import "crypto/tls"

// Each method returns a new *tls.Config, so callers may adjust their copy
// (NextProtos, ServerName) without affecting others.

// APIServerTLSConfig is the API server's serving side: the serving cert, and
// client certs asked for but not required (tokens and anonymous requests
// carry none). Like upstream's, it does not verify them in the handshake:
// the x509 authenticator does, so that a certificate from another CA gets a
// 401 Status rather than a failed handshake. ClientCAs still tells clients
// which CA to pick a certificate from.
func (b *Bundle) APIServerTLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{b.Serving.TLS},
		ClientCAs:    b.ClientCA.Pool,
		ClientAuth:   tls.RequestClientCert,
	}
}

// EtcdClientTLSConfig is how the API server dials etcd.
func (b *Bundle) EtcdClientTLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{b.Etcd.Client.TLS},
		RootCAs:      b.Etcd.ServerCA.Pool,
	}
}

// EtcdServerTLSConfig is etcd's client-facing side: only holders of a cert
// from etcd's server CA (the API server) may talk to it.
func (b *Bundle) EtcdServerTLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{b.Etcd.Server.TLS},
		ClientCAs:    b.Etcd.ServerCA.Pool,
		ClientAuth:   tls.RequireAndVerifyClientCert,
	}
}

// EtcdPeerTLSConfig serves and dials peer links: both ends present the peer
// cert and trust only the peer CA.
func (b *Bundle) EtcdPeerTLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{b.Etcd.Peer.TLS},
		ClientCAs:    b.Etcd.PeerCA.Pool,
		RootCAs:      b.Etcd.PeerCA.Pool,
		ClientAuth:   tls.RequireAndVerifyClientCert,
	}
}
