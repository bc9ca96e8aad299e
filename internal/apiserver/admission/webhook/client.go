package webhook

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// clients keeps one HTTP client per (caBundle, server name), so calls to
// the same webhook reuse connections instead of a TLS handshake per write.
type clients struct {
	mu    sync.Mutex
	byKey map[clientKey]*http.Client
}

type clientKey struct {
	ca         [sha256.Size]byte
	serverName string
}

// maxClients bounds the cache: configurations are few, but each caBundle
// rotation leaves an entry behind. Past the bound the cache starts over,
// closing the idle connections it held.
const maxClients = 64

func (c *clients) get(caBundle []byte, serverName string) (*http.Client, error) {
	key := clientKey{ca: sha256.Sum256(caBundle), serverName: serverName}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.byKey[key]; ok {
		return cl, nil
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: serverName}
	if len(caBundle) > 0 {
		// Without a caBundle the system roots verify the webhook, as
		// upstream; with one, only it does.
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caBundle) {
			return nil, errors.New("caBundle holds no PEM certificate")
		}
		tlsConfig.RootCAs = pool
	}
	if c.byKey == nil || len(c.byKey) >= maxClients {
		for _, old := range c.byKey {
			old.CloseIdleConnections()
		}
		c.byKey = map[clientKey]*http.Client{}
	}
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	cl := &http.Client{
		// Webhooks are in the cluster or named by URL on purpose: no
		// proxy from the environment, and no redirects (a webhook that
		// redirects is misconfigured, and following it would send the
		// object somewhere nobody registered).
		Transport: &http.Transport{
			DialContext:         dialer.DialContext,
			TLSClientConfig:     tlsConfig,
			ForceAttemptHTTP2:   true,
			TLSHandshakeTimeout: 10 * time.Second,
			MaxIdleConnsPerHost: 16,
			IdleConnTimeout:     90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	c.byKey[key] = cl
	return cl, nil
}
