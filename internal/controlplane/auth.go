package controlplane

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/sirupsen/logrus"
	"k8s.io/client-go/kubernetes"

	"github.com/hanok-dev/hanok/internal/apiserver"
	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/authn/serviceaccount"
	"github.com/hanok-dev/hanok/internal/apiserver/authz"
	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/authentication"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/authorization"
)

var log = logrus.WithField("component", "apiserver")

// auth is the pipeline's authentication and authorization stages and what
// they need: the loopback client, its informers, the token plugins, the
// authorizers, and the gate that holds requests until the informers are
// ready. Built before the server (the review resources and the chains go
// into its config), installed on it after (TokenRequest, the start hook).
type auth struct {
	ctx    context.Context // informers run until it ends
	client kubernetes.Interface
	data   *authData
	gate   *syncGate

	tokens        *tokenAuthenticators
	authorizers   *authorizers
	authenticator authn.Authenticator
	authorizer    authz.Authorizer
	tokenRequests *tokenRequests
	// discovery serves the service-account issuer's OpenID documents.
	discovery, jwks http.Handler
}

func newAuth(ctx context.Context, cfg Config) (*auth, error) {
	if cfg.PKI == nil {
		return nil, errors.New("controlplane: Config.PKI is required (client CA, service-account key, loopback certificate)")
	}
	loopback, err := loopbackConfig(cfg.PKI, cfg.BindAddress, cfg.Port)
	if err != nil {
		return nil, err
	}
	client, dialer, err := loopbackClient(loopback)
	if err != nil {
		return nil, err
	}
	data, err := newAuthData(client)
	if err != nil {
		return nil, err
	}
	go closeLoopback(ctx, data, dialer)
	a := &auth{ctx: ctx, client: client, data: data, gate: newSyncGate(gateWait)}

	issuerName := serviceaccount.DefaultIssuer(clusterDomain(cfg))
	if a.tokens, err = newTokenAuthenticators(issuerName, cfg.PKI.ServiceKey.Public(), data, client); err != nil {
		return nil, fmt.Errorf("service-account tokens: %w", err)
	}
	if a.authorizers, err = newAuthorizers(data); err != nil {
		return nil, err
	}
	clientCAs := cfg.ClientCAs
	if clientCAs == nil {
		clientCAs = cfg.PKI.ClientCA.Pool
	}
	a.authenticator = a.tokens.authenticator(clientCAs, a.gate)
	a.authorizer = a.authorizers.authorizer(a.gate)
	if cfg.AlwaysAllow {
		a.authorizer = authz.AlwaysAllow{}
	}

	issuer, err := serviceaccount.NewIssuer(issuerName, cfg.PKI.ServiceKey)
	if err != nil {
		return nil, fmt.Errorf("service-account token issuer: %w", err)
	}
	if a.discovery, a.jwks, err = serviceaccount.DiscoveryHandlers(issuerName, []crypto.PublicKey{cfg.PKI.ServiceKey.Public()}); err != nil {
		return nil, fmt.Errorf("service-account issuer discovery: %w", err)
	}
	a.tokenRequests = &tokenRequests{issuer: issuer, audiences: a.tokens.serviceAccounts.Audiences(), client: client}
	return a, nil
}

func clusterDomain(cfg Config) string {
	if cfg.ClusterDomain == "" {
		return "cluster.local"
	}
	return cfg.ClusterDomain
}

// reviews are the authentication.k8s.io and authorization.k8s.io kinds,
// answered by this chain.
func (a *auth) reviews() (authenticationGroup, authorizationGroup []*registry.Resource) {
	return authentication.Resources(tokenReviewer{tokens: a.tokens, gate: a.gate}),
		authorization.Resources(a.authorizer, a.authorizers.rules())
}

// install adds what needs the server itself: the serviceaccounts/token
// subresource, the issuer discovery documents, and the start hook that loads the informers and the
// bootstrap policy.
func (a *auth) install(api *apiserver.Server) {
	api.HandleSubresource("", "serviceaccounts", "token", a.tokenRequests.handler(api))
	api.HandleNonResource(serviceaccount.DiscoveryPath, a.discovery)
	api.HandleNonResource(serviceaccount.JWKSPath, a.jwks)
	api.AddStartHook("informers", a.startInformers)
	api.AddPostStartHook("authentication-authorization-data", a.start)
}

// startInformers runs once the server listens, before it writes anything
// of its own: it starts the loopback informers (authorization's and
// admission's) and waits until each has listed once. The loopback client is
// in system:masters, which the sync gate lets through.
func (a *auth) startInformers(ctx context.Context) error {
	a.data.start(a.ctx)
	return a.data.waitForSync(ctx)
}

// start runs once the server's own objects exist: it brings the RBAC policy
// in line with the bootstrap policy, and opens the gate once the informers
// (started by startInformers) hold it, so the server is never ready (nor answers anyone but
// system:masters) with an RBAC "no" that only means "not loaded yet".
func (a *auth) start(ctx context.Context) error {
	begin := time.Now()
	cached, err := cachedPolicy(a.data)
	if err != nil {
		return err
	}
	written, err := reconcilePolicy(ctx, a.client, cached)
	if err != nil {
		return err
	}
	if err := waitForPolicy(ctx, a.data, written); err != nil {
		return err
	}
	a.gate.open()
	log.Debugf("authentication and authorization data loaded in %v", time.Since(begin).Round(time.Millisecond))
	return nil
}
