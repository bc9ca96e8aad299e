package manager

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// accountsNamespace holds the controllers' service accounts.
const accountsNamespace = "kube-system"

// tokenSource hands out a service account's token: asked of the
// TokenRequest API as the manager, cached, and asked again once 80% of its
// lifetime has passed or the server refused it. The account is created
// when the API says it does not exist, so deleting it only costs the
// controller one failed request.
type tokenSource struct {
	manager    kubernetes.Interface // as system:kube-controller-manager
	name       string
	expiration time.Duration
	now        func() time.Time

	mu        sync.Mutex
	token     string
	refreshAt time.Time
}

func newTokenSource(manager kubernetes.Interface, account string, expiration time.Duration) *tokenSource {
	return &tokenSource{manager: manager, name: account, expiration: expiration, now: time.Now}
}

// get returns a token that is still fresh, fetching one if need be. The
// lock is held while fetching so that concurrent requests wait for one
// TokenRequest rather than each making their own.
func (s *tokenSource) get(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && s.now().Before(s.refreshAt) {
		return s.token, nil
	}
	issued := s.now()
	tr, err := s.request(ctx)
	if err != nil {
		return "", fmt.Errorf("token for service account %s/%s: %w", accountsNamespace, s.name, err)
	}
	s.token = tr.Status.Token
	s.refreshAt = refreshTime(issued, tr.Status.ExpirationTimestamp.Time)
	return s.token, nil
}

// reset forgets token if it is still the current one, after the server
// refused it (the account was deleted and recreated, the signing key
// changed): the next request fetches a new one.
func (s *tokenSource) reset(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token == token {
		s.token = ""
	}
}

func (s *tokenSource) request(ctx context.Context) (*authenticationv1.TokenRequest, error) {
	seconds := int64(s.expiration / time.Second)
	req := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &seconds}}
	accounts := s.manager.CoreV1().ServiceAccounts(accountsNamespace)
	tr, err := accounts.CreateToken(ctx, s.name, req, metav1.CreateOptions{})
	if !apierrors.IsNotFound(err) {
		return tr, err
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: s.name, Namespace: accountsNamespace}}
	if _, err := accounts.Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return nil, fmt.Errorf("creating the account: %w", err)
	}
	return accounts.CreateToken(ctx, s.name, req, metav1.CreateOptions{})
}

// refreshTime is when a token issued at issued and expiring at expires is
// to be replaced: after 80% of its lifetime, as upstream, which leaves a
// fifth of it to ride out a slow or failed refresh.
func refreshTime(issued, expires time.Time) time.Time {
	return issued.Add(expires.Sub(issued) * 8 / 10)
}

// bearerTransport puts the account's token on every request.
type bearerTransport struct {
	source *tokenSource
	next   http.RoundTripper
}

func (t *bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	token, err := t.source.get(req.Context())
	if err != nil {
		return nil, err
	}
	req = req.Clone(req.Context()) // a RoundTripper must not change its request
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := t.next.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusUnauthorized {
		t.source.reset(token)
	}
	return resp, err
}

// accountConfig is a client config that acts as source's account: the
// manager's server, CA, rate limits and timeouts without its credentials,
// and the token on every request.
func accountConfig(manager *rest.Config, source *tokenSource) *rest.Config {
	cfg := rest.AnonymousClientConfig(manager)
	cfg.UserAgent = "kube-controller-manager/" + source.name
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return &bearerTransport{source: source, next: rt}
	}
	return cfg
}
