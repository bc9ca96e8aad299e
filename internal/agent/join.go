package agent

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/hanok-dev/hanok/internal/joinapi"
	"github.com/hanok-dev/hanok/internal/pki"
)

// Joined is what a node learns from the server it joins.
type Joined struct {
	Credentials Credentials
	Cluster     joinapi.Credentials
}

// Join asks the server at serverURL for this node's credentials. With a
// full token it first checks the server's CA against the token's hash and
// refuses a server whose CA differs, before sending the secret.
func Join(ctx context.Context, serverURL, rawToken, nodeName string, nodeIPs []net.IP) (*Joined, error) {
	token, err := pki.ParseJoinToken(rawToken)
	if err != nil {
		return nil, fmt.Errorf("--token: %w", err)
	}
	serverURL = strings.TrimRight(serverURL, "/")
	caPEM, err := fetch(ctx, insecureClient(), http.MethodGet, serverURL+joinapi.CACertsPath, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("fetching the server's CA from %s: %w", serverURL, err)
	}
	if token.CAHash == "" {
		log.Warn("--token has no CA hash: trusting the server's CA as first seen (use the full token from <data-dir>/server/node-token)")
	} else if got := pki.CAHash(caPEM); got != token.CAHash {
		return nil, fmt.Errorf("the server at %s has CA hash %s, not the token's %s: refusing to join it", serverURL, got, token.CAHash)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("the server's %s holds no certificate", joinapi.CACertsPath)
	}
	pinned := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	req := joinapi.CredentialsRequest{NodeName: nodeName}
	for _, ip := range nodeIPs {
		req.NodeIPs = append(req.NodeIPs, ip.String())
	}
	body, _ := json.Marshal(req)
	data, err := fetch(ctx, pinned, http.MethodPost, serverURL+joinapi.CredentialsPath, body, &token)
	if err != nil {
		return nil, fmt.Errorf("joining %s: %w", serverURL, err)
	}
	var creds joinapi.Credentials
	if err := json.Unmarshal(data, &creds); err != nil {
		return nil, fmt.Errorf("joining %s: reading credentials: %w", serverURL, err)
	}
	serving, err := tls.X509KeyPair([]byte(creds.ServingCert), []byte(creds.ServingKey))
	if err != nil {
		return nil, fmt.Errorf("joining %s: serving certificate: %w", serverURL, err)
	}
	clientCAs := x509.NewCertPool()
	clientCAs.AppendCertsFromPEM([]byte(creds.ClientCA))
	return &Joined{
		Credentials: Credentials{
			Kubelet:   pki.RESTConfig(serverURL, []byte(creds.ServerCA), []byte(creds.KubeletCert), []byte(creds.KubeletKey)),
			Proxy:     pki.RESTConfig(serverURL, []byte(creds.ServerCA), []byte(creds.ProxyCert), []byte(creds.ProxyKey)),
			Serving:   serving,
			ClientCAs: clientCAs,
		},
		Cluster: creds,
	}, nil
}

// insecureClient fetches only the CA, which is then checked by hash.
func insecureClient() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}, //nolint:gosec // pinned by hash below
	}}
}

func fetch(ctx context.Context, c *http.Client, method, url string, body []byte, token *pki.JoinToken) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if token != nil {
		req.SetBasicAuth(token.User, token.Secret)
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(data)))
	}
	return data, nil
}
