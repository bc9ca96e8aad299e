package pki

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"slices"
	"testing"
)

// TestKubeletTLS: the API server's kubelet client and a kubelet serving
// certificate from the same Bundle trust each other, and the kubelet sees
// system:kube-apiserver.
func TestKubeletTLS(t *testing.T) {
	b := mustEnsure(t, testOptions(t))
	certPEM, keyPEM, err := b.IssueKubeletServing("node-1", []net.IP{net.ParseIP("127.0.0.1"), nil}, []string{"node-1.lan", ""})
	if err != nil {
		t.Fatal(err)
	}
	serving, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(serving.Leaf.DNSNames, "node-1") || !slices.Contains(serving.Leaf.DNSNames, "node-1.lan") || len(serving.Leaf.IPAddresses) != 1 {
		t.Errorf("kubelet serving SANs: %v %v", serving.Leaf.DNSNames, serving.Leaf.IPAddresses)
	}
	again, _, err := b.IssueKubeletServing("node-1", []net.IP{net.ParseIP("127.0.0.1")}, []string{"node-1.lan"})
	if err != nil || string(again) != string(certPEM) {
		t.Errorf("a second issue with the same names re-issued the certificate (err %v)", err)
	}

	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{serving}, ClientCAs: b.ClientCA.Pool, ClientAuth: tls.RequireAndVerifyClientCert,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer := make(chan *x509.Certificate, 2)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			tc := c.(*tls.Conn)
			if tc.Handshake() != nil || len(tc.ConnectionState().PeerCertificates) == 0 {
				peer <- nil
			} else {
				peer <- tc.ConnectionState().PeerCertificates[0]
				_, _ = c.Write([]byte("x")) // completes the client's side under TLS 1.3
			}
			c.Close()
		}
	}()

	cfg, err := b.KubeletClientTLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := tls.Dial("tcp", ln.Addr().String(), cfg)
	if err != nil {
		t.Fatalf("dialling the kubelet: %v", err)
	}
	_, _ = conn.Read(make([]byte, 1))
	conn.Close()
	got := <-peer
	if got == nil || got.Subject.CommonName != KubeAPIServerUser {
		t.Fatalf("kubelet saw client %v, want CN %s", got, KubeAPIServerUser)
	}

	// A kubelet certificate from elsewhere is refused.
	other := mustEnsure(t, testOptions(t))
	cfg2, err := other.KubeletClientTLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	if c, err := tls.Dial("tcp", ln.Addr().String(), cfg2); err == nil {
		c.Close()
		t.Error("a client trusting another server CA accepted this kubelet")
	}
}
