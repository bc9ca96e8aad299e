package joinapi

// Paths served on the API server's port, ahead of the API.
const (
	// CACertsPath returns the server CA (PEM) to anyone; the agent accepts
	// it only if it hashes to the CA hash in its join token.
	CACertsPath = "/cacerts"
	// CredentialsPath issues a node's credentials to holders of the join
	// secret (HTTP basic auth, user and secret from the token).
	CredentialsPath = "/v1-hanok/node-credentials"
)

// CredentialsRequest names the node asking to join.
type CredentialsRequest struct {
	NodeName string   `json:"nodeName"`
	NodeIPs  []string `json:"nodeIPs"`
}

// Credentials are a node's identity (system:node:<name>), the service
// proxy's (system:kube-proxy), its kubelet's
// serving certificate, the CAs to trust, and the cluster's network
// settings, which agents must share with the servers.
type Credentials struct {
	ServerCA    string `json:"serverCA"`
	ClientCA    string `json:"clientCA"`
	KubeletCert string `json:"kubeletCert"`
	KubeletKey  string `json:"kubeletKey"`
	ServingCert string `json:"servingCert"`
	ServingKey  string `json:"servingKey"`
	ProxyCert   string `json:"proxyCert"`
	ProxyKey    string `json:"proxyKey"`

	ClusterCIDR   string `json:"clusterCIDR"`
	ServiceCIDR   string `json:"serviceCIDR"`
	ClusterDNS    string `json:"clusterDNS"`
	ClusterDomain string `json:"clusterDomain"`
}
