package volume

import (
	"context"
	"fmt"
	"sync"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// defaultTokenExpiration is the API's default expirationSeconds for a
// projected service-account token.
const defaultTokenExpiration int64 = 3600

// maxTokenAge caps how long a token is kept even when it lives longer, as
// upstream's token manager does.
const maxTokenAge = 24 * time.Hour

type tokenKey struct {
	pod            types.UID
	namespace, sa  string
	audience       string
	expirationSecs int64
}

type cachedToken struct {
	token             string
	issued, expiresAt time.Time
}

// needsRenewal: past 80% of its life, older than a day, or expired.
func (t cachedToken) needsRenewal(now time.Time) bool {
	life := t.expiresAt.Sub(t.issued)
	return !now.Before(t.issued.Add(life*8/10)) || now.Sub(t.issued) > maxTokenAge
}

// tokenCache requests service-account tokens bound to pods through the
// node's client (TokenRequest) and keeps them until they need renewing.
type tokenCache struct {
	client kubernetes.Interface
	now    func() time.Time

	mu     sync.Mutex
	tokens map[tokenKey]cachedToken
}

func newTokenCache(client kubernetes.Interface, now func() time.Time) *tokenCache {
	return &tokenCache{client: client, now: now, tokens: map[tokenKey]cachedToken{}}
}

// get returns a token for the pod's service account with this audience and
// lifetime, requesting a new one when there is none or it is due.
func (c *tokenCache) get(ctx context.Context, pod *v1.Pod, src *v1.ServiceAccountTokenProjection) (string, error) {
	exp := defaultTokenExpiration
	if src.ExpirationSeconds != nil {
		exp = *src.ExpirationSeconds
	}
	sa := pod.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	key := tokenKey{pod: pod.UID, namespace: pod.Namespace, sa: sa, audience: src.Audience, expirationSecs: exp}

	c.mu.Lock()
	cur, ok := c.tokens[key]
	c.mu.Unlock()
	now := c.now()
	if ok && !cur.needsRenewal(now) {
		return cur.token, nil
	}
	if c.client == nil {
		return "", fmt.Errorf("no API client to request a service account token")
	}

	req := &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{
			ExpirationSeconds: &exp,
			BoundObjectRef: &authenticationv1.BoundObjectReference{
				Kind: "Pod", APIVersion: "v1", Name: pod.Name, UID: pod.UID,
			},
		},
	}
	if src.Audience != "" {
		req.Spec.Audiences = []string{src.Audience}
	}
	tr, err := c.client.CoreV1().ServiceAccounts(pod.Namespace).CreateToken(ctx, sa, req, metav1.CreateOptions{})
	if err != nil {
		if ok && now.Before(cur.expiresAt) {
			// Renewal failed but the old token still works: keep serving
			// it and try again on the next Mount.
			log.WithError(err).WithField("pod", pod.Namespace+"/"+pod.Name).Warn("service account token renewal failed")
			return cur.token, nil
		}
		return "", fmt.Errorf("failed to fetch token for service account %q: %w", pod.Namespace+"/"+sa, err)
	}
	expiresAt := tr.Status.ExpirationTimestamp.Time
	if expiresAt.IsZero() || !expiresAt.After(now) {
		expiresAt = now.Add(time.Duration(exp) * time.Second)
	}
	c.mu.Lock()
	c.tokens[key] = cachedToken{token: tr.Status.Token, issued: now, expiresAt: expiresAt}
	c.mu.Unlock()
	return tr.Status.Token, nil
}

// forget drops the pod's tokens (the pod is gone).
func (c *tokenCache) forget(uid types.UID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.tokens {
		if k.pod == uid {
			delete(c.tokens, k)
		}
	}
}
