package controlplane

import (
	"fmt"
	"os"

	"k8s.io/client-go/rest"

	"github.com/hanok-dev/hanok/internal/apiserver/authz/bootstrappolicy"
	"github.com/hanok-dev/hanok/internal/apiserver/authz/node"
	"github.com/hanok-dev/hanok/internal/pki"
)

// Identity is who a hanok component is to the API server: the user and
// groups its client certificate names. The bootstrap policy grants each
// exactly its component's role (system:kube-scheduler and so on); the Node
// authorizer narrows a kubelet to its own node. Only the admin kubeconfig
// is in system:masters.
type Identity struct {
	// CertName names the certificate's files in the PKI dir
	// (client-<CertName>.{crt,key}).
	CertName string
	User     string
	Groups   []string
}

// The control-plane components' identities, as upstream names them.
var (
	SchedulerIdentity         = Identity{CertName: "kube-scheduler", User: bootstrappolicy.KubeScheduler}
	ControllerManagerIdentity = Identity{CertName: "kube-controller-manager", User: bootstrappolicy.KubeControllerManager}
	ProxyIdentity             = Identity{CertName: "kube-proxy", User: bootstrappolicy.KubeProxy}
)

// NodeIdentity is the kubelet of node nodeName: system:node:<name> in
// system:nodes.
func NodeIdentity(nodeName string) Identity {
	return Identity{CertName: "kubelet-" + nodeName, User: node.NodeUserPrefix + nodeName, Groups: []string{node.NodesGroup}}
}

// ClientConfig is a client config for serverURL as id, with a certificate
// from the client CA (issued on first use, then reused from the PKI dir
// until it nears expiry): what an in-process component uses, exactly as it
// would from another machine.
func ClientConfig(b *pki.Bundle, serverURL string, id Identity) (*rest.Config, error) {
	certPEM, keyPEM, err := b.IssueClientCert(id.CertName, id.User, id.Groups)
	if err != nil {
		return nil, fmt.Errorf("certificate for %s: %w", id.User, err)
	}
	cfg := pki.RESTConfig(serverURL, b.ServerCAPEM(), certPEM, keyPEM)
	cfg.UserAgent = id.CertName
	return cfg, nil
}

// WriteKubeconfig writes the same as a kubeconfig file (mode 0600), for a
// component that runs as its own process.
func WriteKubeconfig(b *pki.Bundle, path, serverURL string, id Identity) error {
	certPEM, keyPEM, err := b.IssueClientCert(id.CertName, id.User, id.Groups)
	if err != nil {
		return fmt.Errorf("certificate for %s: %w", id.User, err)
	}
	return pki.WriteKubeconfig(path, os.FileMode(0o600), serverURL, b.ServerCAPEM(), certPEM, keyPEM)
}
