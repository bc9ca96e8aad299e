package server

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/hanok-dev/hanok/internal/controlplane"
	"github.com/hanok-dev/hanok/internal/joinapi"
	"github.com/hanok-dev/hanok/internal/pki"
)

// ensureJoinToken keeps the cluster's join secret in <data-dir>/server/token
// (from --token, or random on first start) and writes the full node token,
// with the CA hash, to <data-dir>/server/node-token for agents to use.
func ensureJoinToken(cfg *Config, p paths, b *pki.Bundle) (pki.JoinToken, error) {
	secretPath := filepath.Join(p.root, "token")
	secret := cfg.Token
	if secret != "" {
		t, err := pki.ParseJoinToken(secret)
		if err != nil {
			return pki.JoinToken{}, fmt.Errorf("--token: %w", err)
		}
		if t.CAHash != "" && t.CAHash != pki.CAHash(b.ServerCAPEM()) {
			return pki.JoinToken{}, fmt.Errorf("--token: its CA hash does not match this server's CA")
		}
		secret = t.Secret
	} else if data, err := os.ReadFile(secretPath); err == nil {
		secret = strings.TrimSpace(string(data))
	} else {
		if secret, err = pki.NewJoinSecret(); err != nil {
			return pki.JoinToken{}, err
		}
	}
	if err := os.WriteFile(secretPath, []byte(secret+"\n"), 0o600); err != nil {
		return pki.JoinToken{}, err
	}
	token := pki.JoinToken{CAHash: pki.CAHash(b.ServerCAPEM()), User: "node", Secret: secret}
	if err := os.WriteFile(filepath.Join(p.root, "node-token"), []byte(token.String()+"\n"), 0o600); err != nil {
		return pki.JoinToken{}, err
	}
	return token, nil
}

// joinHandler serves what a joining agent needs on the API server's port,
// ahead of the API: /cacerts to anyone (the agent checks it against its
// token's hash), and the node's credentials to holders of the join secret.
// Everything else goes to the API server.
func joinHandler(api http.Handler, cfg *Config, b *pki.Bundle, token pki.JoinToken) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+joinapi.CACertsPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-pem-file")
		_, _ = w.Write(b.ServerCAPEM())
	})
	mux.HandleFunc("POST "+joinapi.CredentialsPath, func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != token.User || subtle.ConstantTimeCompare([]byte(pass), []byte(token.Secret)) != 1 {
			http.Error(w, "invalid join token", http.StatusUnauthorized)
			return
		}
		var req joinapi.CredentialsRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req); err != nil {
			http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
			return
		}
		resp, err := nodeCredentials(cfg, b, req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	})
	mux.Handle("/", api)
	return mux
}

// nodeCredentials issues a joining node its kubelet identity and serving
// certificate, and tells it the cluster's network settings.
func nodeCredentials(cfg *Config, b *pki.Bundle, req joinapi.CredentialsRequest) (*joinapi.Credentials, error) {
	name := strings.ToLower(req.NodeName)
	if errs := validNodeName(name); errs != "" {
		return nil, fmt.Errorf("node name %q: %s", req.NodeName, errs)
	}
	hosts := []string{name}
	for _, ip := range req.NodeIPs {
		if net.ParseIP(ip) == nil {
			return nil, fmt.Errorf("node IP %q is not an IP address", ip)
		}
		hosts = append(hosts, ip)
	}
	id := controlplane.NodeIdentity(name)
	clientCert, clientKey, err := b.IssueClientCert(id.CertName, id.User, id.Groups)
	if err != nil {
		return nil, err
	}
	servingCert, servingKey, err := b.IssueServingCert("kubelet-"+name, hosts)
	if err != nil {
		return nil, err
	}
	proxy := controlplane.ProxyIdentity
	proxyCert, proxyKey, err := b.IssueClientCert(proxy.CertName, proxy.User, proxy.Groups)
	if err != nil {
		return nil, err
	}
	return &joinapi.Credentials{
		ServerCA: string(b.ServerCAPEM()), ClientCA: string(b.ClientCAPEM()),
		KubeletCert: string(clientCert), KubeletKey: string(clientKey),
		ServingCert: string(servingCert), ServingKey: string(servingKey),
		ProxyCert: string(proxyCert), ProxyKey: string(proxyKey),
		ClusterCIDR: cfg.ClusterCIDR.String(), ServiceCIDR: cfg.ServiceCIDR.String(),
		ClusterDNS: cfg.ClusterDNS.String(), ClusterDomain: cfg.ClusterDomain,
	}, nil
}

// validNodeName is the API's rule for node names (a DNS subdomain).
func validNodeName(name string) string {
	return strings.Join(validation.IsDNS1123Subdomain(name), "; ")
}
