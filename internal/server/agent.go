package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"

	"k8s.io/client-go/kubernetes"

	"github.com/hanok-dev/hanok/internal/agent"
	"github.com/hanok-dev/hanok/internal/controlplane"
	"github.com/hanok-dev/hanok/internal/kubelet/nodestatus"
	"github.com/hanok-dev/hanok/internal/pki"
)

// agentConfig is the embedded agent's config: the node flags from the
// command line, with credentials issued by this server's own PKI, so the
// agent needs no join and still acts only as system:node:<name>.
func agentConfig(cfg *Config, url string, b *pki.Bundle) (agent.Config, error) {
	a := cfg.Agent
	a.DataDir = cfg.DataDir
	a.NodeName = cfg.NodeName
	a.NodeIPs = []net.IP{cfg.NodeIP}
	a.ClusterCIDR = cfg.ClusterCIDR
	a.ClusterDNS = cfg.ClusterDNS
	a.ClusterDomain = cfg.ClusterDomain
	a.ControlPlane = true
	a.DisableDNS = cfg.Disabled("coredns")

	kubelet, err := controlplane.ClientConfig(b, url, controlplane.NodeIdentity(cfg.NodeName))
	if err != nil {
		return a, err
	}
	proxy, err := controlplane.ClientConfig(b, url, controlplane.ProxyIdentity)
	if err != nil {
		return a, err
	}
	certPEM, keyPEM, err := b.IssueServingCert("kubelet-"+cfg.NodeName, []string{cfg.NodeName, cfg.NodeIP.String(), "localhost", "127.0.0.1"})
	if err != nil {
		return a, fmt.Errorf("kubelet serving certificate: %w", err)
	}
	serving, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return a, err
	}
	clientCAs := x509.NewCertPool()
	clientCAs.AppendCertsFromPEM(b.ClientCAPEM())
	a.Credentials = agent.Credentials{Kubelet: kubelet, Proxy: proxy, Serving: serving, ClientCAs: clientCAs}
	return a, nil
}

// startAgent runs the embedded agent as a goroutine; wait returns when it
// has stopped after ctx ends.
func startAgent(ctx context.Context, cfg *Config, url string, b *pki.Bundle) (wait func(), err error) {
	if cfg.DisableAgent {
		return func() {}, nil
	}
	acfg, err := agentConfig(cfg, url, b)
	if err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := agent.Run(ctx, acfg); err != nil {
			log.WithError(err).Error("agent stopped")
		}
	}()
	go labelServerNode(ctx, url, b, acfg)
	return func() { <-done }, nil
}

// labelServerNode sets the labels NodeRestriction keeps a kubelet from
// setting on itself (node-role.kubernetes.io/control-plane and --node-label
// values under node-role.kubernetes.io/), with the server's own authority,
// as k3s does, once the kubelet has registered the node.
func labelServerNode(ctx context.Context, url string, b *pki.Bundle, a agent.Config) {
	client, err := kubernetes.NewForConfig(pki.RESTConfig(url, b.ServerCAPEM(), b.Admin.CertPEM, b.Admin.KeyPEM))
	if err != nil {
		log.WithError(err).Warn("labelling the server's node")
		return
	}
	ncfg := nodestatus.Config{NodeName: a.NodeName, Labels: a.Labels, ControlPlane: a.ControlPlane}
	if err := nodestatus.ApplyRestrictedLabels(ctx, client, ncfg); err != nil && ctx.Err() == nil {
		log.WithError(err).Warn("labelling the server's node")
	}
}
