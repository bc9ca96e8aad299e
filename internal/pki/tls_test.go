package pki

import (
	"crypto/tls"
	"net"
	"testing"
	"time"
)

// handshake runs one TLS handshake over 127.0.0.1 and returns the server's
// and the client's error, and the client CN the server saw (verified by the
// handshake where the config requires it; the API server's authenticator
// verifies its own).
func handshake(t *testing.T, server, client *tls.Config) (serverErr, clientErr error, peerCN string) {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", server)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type result struct {
		err error
		cn  string
	}
	done := make(chan result, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			done <- result{err: err}
			return
		}
		defer conn.Close()
		tc := conn.(*tls.Conn)
		tc.SetDeadline(time.Now().Add(5 * time.Second))
		if err := tc.Handshake(); err != nil {
			done <- result{err: err}
			return
		}
		var cn string
		if st := tc.ConnectionState(); len(st.PeerCertificates) > 0 {
			cn = st.PeerCertificates[0].Subject.CommonName
		}
		// Echo one byte: the client's read is what surfaces a rejection
		// that TLS 1.3 only sends after the client's handshake completed.
		buf := make([]byte, 1)
		if _, err := tc.Read(buf); err == nil {
			tc.Write(buf)
		}
		done <- result{cn: cn}
	}()
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", ln.Addr().String(), client)
	if err == nil {
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		if _, clientErr = conn.Write([]byte("x")); clientErr == nil {
			_, clientErr = conn.Read(make([]byte, 1))
		}
		conn.Close()
	} else {
		clientErr = err
	}
	r := <-done
	return r.err, clientErr, r.cn
}

func TestHandshakes(t *testing.T) {
	b := mustEnsure(t, testOptions(t))
	admin := func() *tls.Config {
		return &tls.Config{
			RootCAs:      b.ServerCA.Pool,
			Certificates: []tls.Certificate{b.Admin.TLS},
		}
	}
	tests := []struct {
		name    string
		server  *tls.Config
		client  *tls.Config
		wantCN  string
		wantErr bool
	}{
		{name: "apiserver with admin cert", server: b.APIServerTLSConfig(), client: admin(), wantCN: "system:admin"},
		{name: "apiserver without client cert", server: b.APIServerTLSConfig(),
			client: &tls.Config{RootCAs: b.ServerCA.Pool}},
		// Go's client only offers a cert from a CA the server asks for; one
		// from another CA is withheld and the request is anonymous.
		{name: "apiserver: foreign client cert not offered", server: b.APIServerTLSConfig(),
			client: &tls.Config{RootCAs: b.ServerCA.Pool, Certificates: []tls.Certificate{b.Etcd.Client.TLS}}},
		// A client that sends one anyway gets through the handshake: the
		// API server's x509 authenticator answers it with a 401 Status.
		{name: "apiserver: forced foreign client cert left to the authenticator", server: b.APIServerTLSConfig(),
			client: &tls.Config{RootCAs: b.ServerCA.Pool,
				GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
					return &b.Etcd.Client.TLS, nil
				}},
			wantCN: "etcd-client"},
		{name: "apiserver cert not trusted by etcd CA", server: b.APIServerTLSConfig(),
			client: &tls.Config{RootCAs: b.Etcd.ServerCA.Pool}, wantErr: true},
		{name: "etcd server with etcd client", server: b.EtcdServerTLSConfig(), client: b.EtcdClientTLSConfig(), wantCN: "etcd-client"},
		{name: "etcd server requires client cert", server: b.EtcdServerTLSConfig(),
			client: &tls.Config{RootCAs: b.Etcd.ServerCA.Pool}, wantErr: true},
		{name: "etcd peer", server: b.EtcdPeerTLSConfig(), client: b.EtcdPeerTLSConfig(), wantCN: "etcd-peer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			serverErr, clientErr, cn := handshake(t, tt.server, tt.client)
			failed := serverErr != nil || clientErr != nil
			if failed != tt.wantErr {
				t.Fatalf("server err %v, client err %v; want failure %v", serverErr, clientErr, tt.wantErr)
			}
			if !tt.wantErr && cn != tt.wantCN {
				t.Errorf("server saw client CN %q, want %q", cn, tt.wantCN)
			}
		})
	}
}
