package kubeletproxy

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Client dials kubelets: over TLS with the API server's kubelet-client
// certificate, verifying the kubelet against the server CA (tlsConfig's
// RootCAs), or without verifying it for a log request that asks
// insecureSkipTLSVerifyBackend (the client certificate is still sent).
type Client struct {
	secure, insecure *http.Transport
}

// NewClient is a Client with tlsConfig (pki.Bundle.KubeletClientTLSConfig).
func NewClient(tlsConfig *tls.Config) *Client {
	insecure := tlsConfig.Clone()
	insecure.InsecureSkipVerify = true
	return &Client{secure: newTransport(tlsConfig), insecure: newTransport(insecure)}
}

// newTransport speaks HTTP/1.1 only: exec, attach and port-forward upgrade
// the connection, which HTTP/2 cannot, and logs stream fine over it. No
// proxy from the environment: kubelets are reached directly, as the
// cluster network allows.
func newTransport(tlsConfig *tls.Config) *http.Transport {
	return &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tlsConfig,
		TLSHandshakeTimeout:   10 * time.Second,
		MaxIdleConnsPerHost:   25,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// Transport is the round tripper for a kubelet request.
func (c *Client) Transport(insecureSkipVerify bool) *http.Transport {
	if insecureSkipVerify {
		return c.insecure
	}
	return c.secure
}

// CloseIdleConnections hangs up idle kubelet connections.
func (c *Client) CloseIdleConnections() {
	c.secure.CloseIdleConnections()
	c.insecure.CloseIdleConnections()
}

var errRedirect = errors.New("redirects forbidden")

// Get does a GET of path on node's kubelet and returns the response when
// it is a success; a kubelet's refusal becomes the API error upstream
// makes of it (400 keeps the kubelet's message, as "container x in pod y
// is waiting to start"), naming resource and name.
func (c *Client) Get(ctx context.Context, node *corev1.Node, path string, query map[string][]string, insecureSkipVerify bool, resource schema.GroupResource, name string) (*http.Response, error) {
	u, err := KubeletURL(node, path, query)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Transport: c.Transport(insecureSkipVerify), CheckRedirect: func(*http.Request, []*http.Request) error { return errRedirect }}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	if err := checkResponse(resp, resource, name); err != nil {
		return nil, err
	}
	return resp, nil
}

// maxErrorBody bounds how much of a kubelet's error answer is read.
const maxErrorBody = 50000

// checkResponse turns a non-2xx kubelet answer into an API error carrying
// the kubelet's text, closing its body.
func checkResponse(resp *http.Response, resource schema.GroupResource, name string) error {
	if resp.StatusCode >= http.StatusOK && resp.StatusCode <= http.StatusPartialContent {
		return nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if err != nil {
		return apierrors.NewInternalError(err)
	}
	text := strings.TrimSpace(string(body)) // http.Error adds a newline
	switch resp.StatusCode {
	case http.StatusInternalServerError:
		return apierrors.NewInternalError(fmt.Errorf("%s", text))
	case http.StatusBadRequest:
		return apierrors.NewBadRequest(text)
	}
	return apierrors.NewGenericServerResponse(resp.StatusCode, "", resource, name, text, 0, false)
}
