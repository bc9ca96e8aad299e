package agent

import (
	"crypto/tls"
	"crypto/x509"
	"net"

	v1 "k8s.io/api/core/v1"
	"k8s.io/client-go/rest"
)

// Config is what one node runs with, after flags are parsed.
type Config struct {
	DataDir  string
	NodeName string
	NodeIPs  []net.IP

	ClusterCIDR   *net.IPNet
	ClusterDNS    net.IP
	ClusterDomain string

	// Labels and Taints are --node-label and --node-taint; a server's
	// agent also gets the control-plane role label.
	Labels       map[string]string
	Taints       []v1.Taint
	ControlPlane bool

	// PrivateRegistry is registries.yaml (k3s's format): mirrors,
	// credentials, plain-HTTP registries.
	PrivateRegistry string
	// PauseImage overrides the bundled pause image (--pause-image).
	PauseImage string
	// NetworkBackend joins the nodes' pod networks: vxlan, host-gw, or
	// none (the user brings a CNI config).
	NetworkBackend string
	// DisableDNS leaves out the node's cluster DNS (--disable coredns).
	DisableDNS bool
	// KubeletPort is the kubelet's HTTPS port (10250).
	KubeletPort int32
	// ResolvConf is the host's resolver config handed to dnsPolicy=Default
	// pods and used for the search list.
	ResolvConf string

	Credentials Credentials
}

// Credentials are the node's identities. In `hanok server` they come from
// the server's own PKI; a joining agent gets them from the server it joins.
type Credentials struct {
	// Kubelet is a client config for the API server as system:node:<name>.
	Kubelet *rest.Config
	// Proxy is a client config as system:kube-proxy, for the service proxy
	// and the node's DNS, which read every Service and EndpointSlice.
	Proxy *rest.Config
	// Serving is the kubelet's HTTPS certificate, from the server CA.
	Serving tls.Certificate
	// ClientCAs verify callers of the kubelet's HTTPS server (the API
	// server's kubelet client, users with nodes/proxy).
	ClientCAs *x509.CertPool
}
