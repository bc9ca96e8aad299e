package testserver

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"testing"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/hanok-dev/hanok/internal/pki"
)

// PKI is the server's certificates and keys: tests issue identities from
// its client CA (controlplane.ClientConfig) or inspect its CAs.
func (s *Server) PKI() *pki.Bundle { return s.pki }

// unsafeFileChars are what a user name may hold that a certificate file
// name may not.
var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// RESTConfigFor is a client config for user in groups, with a client
// certificate from the server's client CA: for tests of what RBAC lets a
// user do. It is cluster-admin only if groups include system:masters.
func (s *Server) RESTConfigFor(t testing.TB, user string, groups ...string) *rest.Config {
	t.Helper()
	// The user and groups go into the file name's hash, so two identities
	// never share (and keep re-issuing) one certificate file.
	sum := sha256.Sum256([]byte(fmt.Sprint(user, groups)))
	name := fmt.Sprintf("test-%s-%x", unsafeFileChars.ReplaceAllString(user, "_"), sum[:4])
	certPEM, keyPEM, err := s.pki.IssueClientCert(name, user, groups)
	if err != nil {
		t.Fatalf("testserver: certificate for %s: %v", user, err)
	}
	cfg := pki.RESTConfig(s.url, s.pki.ServerCAPEM(), certPEM, keyPEM)
	cfg.QPS = -1
	cfg.UserAgent = "testserver-" + user
	return cfg
}

// ClientFor is a clientset for user in groups (see RESTConfigFor).
func (s *Server) ClientFor(t testing.TB, user string, groups ...string) kubernetes.Interface {
	t.Helper()
	cs, err := kubernetes.NewForConfig(s.RESTConfigFor(t, user, groups...))
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// AnonymousRESTConfig is a client config with no credential at all, that
// still trusts the server's CA; add a BearerToken to try tokens.
func (s *Server) AnonymousRESTConfig() *rest.Config {
	return &rest.Config{Host: s.url, QPS: -1, UserAgent: "testserver-anonymous",
		TLSClientConfig: rest.TLSClientConfig{CAData: s.pki.ServerCAPEM()}}
}
