package controlplane

import (
	"crypto"
	"crypto/x509"

	"k8s.io/client-go/kubernetes"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/authn/bootstraptoken"
	"github.com/hanok-dev/hanok/internal/apiserver/authn/serviceaccount"
)

// tokenAuthenticators are the bearer-token plugins, kept apart from the
// chain because TokenReview asks them directly.
type tokenAuthenticators struct {
	serviceAccounts *serviceaccount.Authenticator
	bootstrap       *bootstraptoken.Authenticator
}

func newTokenAuthenticators(issuer string, key crypto.PublicKey, d *authData, client kubernetes.Interface) (*tokenAuthenticators, error) {
	sa, err := serviceaccount.NewAuthenticator(serviceaccount.Config{
		Issuers: []string{issuer},
		Keys:    []crypto.PublicKey{key},
		Getter:  newTokenGetter(d, client),
	})
	if err != nil {
		return nil, err
	}
	return &tokenAuthenticators{
		serviceAccounts: sa,
		bootstrap:       bootstraptoken.New(d.secrets.Secrets(bootstraptoken.SecretNamespace)),
	}, nil
}

// authenticator is the chain, in upstream's order: client certificates
// (which need no informer, so the loopback client and the admin are known
// from the first request), then bearer tokens once the informers have synced,
// then RejectBearer so that a token nobody took is a 401, never anonymous.
func (t *tokenAuthenticators) authenticator(clientCAs *x509.CertPool, gate *syncGate) authn.Authenticator {
	return authn.Union{
		authn.X509{Roots: clientCAs},
		gatedTokens{gate: gate, next: authn.Union{t.serviceAccounts, t.bootstrap}},
		authn.RejectBearer{},
	}
}
