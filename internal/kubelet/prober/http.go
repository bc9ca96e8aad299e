package prober

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	v1 "k8s.io/api/core/v1"
)

// maxBody is how much of a response body is read (upstream: 10KiB).
const maxBody = 10 << 10

// probeTransport is shared by all HTTP probes: no keep-alive (each probe is
// a fresh connection, as the container would see from a client), no proxy
// from the environment, no certificate checks (probes target pod IPs).
var probeTransport = &http.Transport{
	TLSClientConfig:    &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // as upstream: probes do not verify
	DisableKeepAlives:  true,
	DisableCompression: true,
	Proxy:              nil,
}

// newHTTPRequest builds the GET of an httpGet action: scheme (default
// http), host (default the pod IP), the port by number or name, path and
// headers; User-Agent kube-<purpose>/1.37 and Accept */* unless given; a
// Host header sets the request's host.
func newHTTPRequest(ctx context.Context, a *v1.HTTPGetAction, pod *v1.Pod, c *v1.Container, purpose string) (*http.Request, error) {
	scheme := strings.ToLower(string(a.Scheme))
	if scheme == "" {
		scheme = "http"
	}
	port, err := resolvePort(a.Port, c)
	if err != nil {
		return nil, err
	}
	host := hostOrPodIP(a.Host, pod)
	if host == "" {
		return nil, fmt.Errorf("pod has no IP yet")
	}
	u, err := url.Parse(a.Path)
	if err != nil {
		u = &url.URL{Path: a.Path}
	}
	u.Scheme = scheme
	u.Host = joinHostPort(host, port)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	for _, h := range a.HTTPHeaders {
		req.Header.Add(h.Name, h.Value)
	}
	if _, ok := req.Header["User-Agent"]; !ok {
		req.Header.Set("User-Agent", strings.Replace(userAgent, "probe", purpose, 1))
	}
	if _, ok := req.Header["Accept"]; !ok {
		req.Header.Set("Accept", "*/*")
	} else if req.Header.Get("Accept") == "" {
		req.Header.Del("Accept")
	}
	req.Host = req.Header.Get("Host")
	return req, nil
}

// sameHostRedirects follows redirects only to the same host (up to 10); a
// redirect elsewhere stops and its response is the probe's answer, as
// upstream.
func sameHostRedirects(req *http.Request, via []*http.Request) error {
	if req.URL.Hostname() != via[0].URL.Hostname() {
		return http.ErrUseLastResponse
	}
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return nil
}

// httpProbe: 2xx and 3xx succeed (a 3xx only when its redirect was not
// followed), anything else fails with upstream's message.
func httpProbe(ctx context.Context, a *v1.HTTPGetAction, pod *v1.Pod, c *v1.Container, timeout time.Duration, purpose string) (Result, string) {
	req, err := newHTTPRequest(ctx, a, pod, c, purpose)
	if err != nil {
		return Unknown, err.Error()
	}
	client := &http.Client{Transport: probeTransport, Timeout: timeout, CheckRedirect: sameHostRedirects}
	resp, err := client.Do(req)
	if err != nil {
		return Failure, err.Error()
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return Failure, err.Error()
	}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return Success, string(body)
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return Success, fmt.Sprintf("Probe terminated redirects, Response body: %v", string(body))
	}
	return Failure, fmt.Sprintf("HTTP probe failed with statuscode: %d", resp.StatusCode)
}
