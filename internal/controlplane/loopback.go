package controlplane

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/connrotation"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/pki"
)

// LoopbackUser is the API server's own identity when it calls itself.
const LoopbackUser = "system:apiserver"

// loopbackConfig is the API server's client of itself, used for its
// informers (what authentication and authorization read), the bootstrap
// policy and TokenRequest's lookups. It goes through the same listener,
// TLS and pipeline as any client, as upstream's loopback client does, so
// the data it reads comes from the same watch caches everything else sees.
//
// Its certificate names system:apiserver in system:masters: the server must
// never be locked out of its own data by RBAC, which it is loading through
// this very client. It is issued in memory at every start and never
// written, so the admin kubeconfig stays the only cluster-admin credential
// on disk. Protobuf, and no client-side rate limit: it is the server
// talking to itself.
func loopbackConfig(b *pki.Bundle, host net.IP, port int) (*rest.Config, error) {
	certPEM, keyPEM, err := b.EphemeralClientCert(LoopbackUser, []string{authn.SystemMasters})
	if err != nil {
		return nil, fmt.Errorf("loopback client certificate: %w", err)
	}
	cfg := pki.RESTConfig("https://"+net.JoinHostPort(loopbackHost(host), strconv.Itoa(port)), b.ServerCAPEM(), certPEM, keyPEM)
	// The serving certificate always names localhost, whatever address the
	// listener is bound to.
	cfg.ServerName = "localhost"
	cfg.ContentType = runtime.ContentTypeProtobuf
	cfg.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	cfg.QPS = -1
	cfg.UserAgent = "hanok-apiserver-loopback"
	return cfg, nil
}

// loopbackHost is where the server can reach its own listener: 127.0.0.1
// when it listens on every address (or we were not told), else the address
// it is bound to.
func loopbackHost(bind net.IP) string {
	if bind == nil || bind.IsUnspecified() {
		return "127.0.0.1"
	}
	return bind.String()
}

// loopbackClient is the clientset over cfg, with a dialer that remembers
// its connections so that closeLoopback can hang them up.
func loopbackClient(cfg *rest.Config) (kubernetes.Interface, *connrotation.Dialer, error) {
	dialer := connrotation.NewDialer((&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext)
	cfg.Dial = dialer.DialContext
	cs, err := kubernetes.NewForConfig(cfg)
	return cs, dialer, err
}

// closeLoopback waits for ctx to end and for the informers to stop, then
// hangs up the loopback connections. The server's graceful shutdown waits
// for every connection to close, and over HTTP/2 an idle client only hangs
// up after GOAWAY when it next looks at the connection (the server gives it
// a second): hanging up ourselves keeps a stop as quick as it was without
// the loopback client. Requests still in flight on it fail, as they would
// at shutdown anyway.
func closeLoopback(ctx context.Context, d *authData, dialer *connrotation.Dialer) {
	<-ctx.Done()
	d.factory.Shutdown()
	dialer.CloseAll()
}
