package pki

import (
	"crypto/tls"
	"fmt"
	"net"
)

// KubeAPIServerUser is the API server's identity towards kubelets, as
// upstream names it: the bootstrap policy binds it to
// system:kubelet-api-admin, and kubelets authorize it through a
// SubjectAccessReview like any other caller of their API.
const KubeAPIServerUser = "system:kube-apiserver"

// kubeletClientName names the API server's kubelet-client certificate files
// (client-kube-apiserver-kubelet-client.{crt,key}).
const kubeletClientName = "kube-apiserver-kubelet-client"

// KubeletClientTLSConfig is how the API server dials kubelets (logs, exec,
// port-forward, node proxy, resource metrics): a client certificate for
// system:kube-apiserver from the client CA, issued at first use and then
// reused like the components' certificates, and only kubelet serving
// certificates from the server CA are trusted (IssueKubeletServing).
func (b *Bundle) KubeletClientTLSConfig() (*tls.Config, error) {
	certPEM, keyPEM, err := b.IssueClientCert(kubeletClientName, KubeAPIServerUser, nil)
	if err != nil {
		return nil, err
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("pki: kubelet client certificate: %w", err)
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{pair},
		RootCAs:      b.ServerCA.Pool,
	}, nil
}

// IssueKubeletServing returns the serving certificate of node nodeName's
// kubelet (port 10250), signed by the server CA so that the API server can
// verify it, for the node's addresses and host names. It is stored as
// serving-kubelet-<node>.{crt,key} and reused while it still covers them.
func (b *Bundle) IssueKubeletServing(nodeName string, ips []net.IP, hostnames []string) (certPEM, keyPEM []byte, err error) {
	var hosts []string
	for _, ip := range ips {
		if ip != nil {
			hosts = append(hosts, ip.String())
		}
	}
	for _, h := range append(hostnames, nodeName) {
		if h != "" {
			hosts = append(hosts, h)
		}
	}
	return b.IssueServingCert("kubelet-"+nodeName, hosts)
}
