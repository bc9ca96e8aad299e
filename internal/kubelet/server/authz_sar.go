package server

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	authorizationv1client "k8s.io/client-go/kubernetes/typed/authorization/v1"
)

// Upstream's kubelet webhook authorizer defaults: an allow is trusted for
// five minutes, a deny for thirty seconds.
const (
	allowTTL      = 5 * time.Minute
	denyTTL       = 30 * time.Second
	maxCacheItems = 4096
)

// sarAuthorizer asks the API server whether a user may do verb on
// nodes/<subresource> of this node, caching answers briefly so a busy
// client (metrics scrapes, log follows) costs one review per TTL.
type sarAuthorizer struct {
	client   authorizationv1client.SubjectAccessReviewInterface
	nodeName string
	now      func() time.Time

	mu    sync.Mutex
	cache map[string]cachedDecision
}

type cachedDecision struct {
	allowed bool
	expires time.Time
}

func newSARAuthorizer(client authorizationv1client.SubjectAccessReviewInterface, nodeName string) *sarAuthorizer {
	return &sarAuthorizer{client: client, nodeName: nodeName, now: time.Now, cache: map[string]cachedDecision{}}
}

// spec is the review asked for one check: exactly upstream's attributes
// (resource nodes, version v1, the node's name, no namespace).
func (a *sarAuthorizer) spec(u requestUser, verb, subresource string) authorizationv1.SubjectAccessReviewSpec {
	extra := map[string]authorizationv1.ExtraValue{}
	for k, v := range u.Extra {
		extra[k] = authorizationv1.ExtraValue(v)
	}
	return authorizationv1.SubjectAccessReviewSpec{
		User:   u.Name,
		UID:    u.UID,
		Groups: u.Groups,
		Extra:  extra,
		ResourceAttributes: &authorizationv1.ResourceAttributes{
			Verb:        verb,
			Version:     "v1",
			Resource:    "nodes",
			Subresource: subresource,
			Name:        a.nodeName,
		},
	}
}

// allowed answers one check, from the cache when it can.
func (a *sarAuthorizer) allowed(ctx context.Context, u requestUser, verb, subresource string) (bool, error) {
	spec := a.spec(u, verb, subresource)
	keyBytes, err := json.Marshal(spec)
	if err != nil {
		return false, err
	}
	key := string(keyBytes)
	now := a.now()

	a.mu.Lock()
	if d, ok := a.cache[key]; ok && now.Before(d.expires) {
		a.mu.Unlock()
		return d.allowed, nil
	}
	a.mu.Unlock()

	resp, err := a.client.Create(ctx, &authorizationv1.SubjectAccessReview{Spec: spec}, metav1.CreateOptions{})
	if err != nil {
		return false, fmt.Errorf("subject access review: %w", err)
	}
	allowed := resp.Status.Allowed && !resp.Status.Denied
	ttl := denyTTL
	if allowed {
		ttl = allowTTL
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.cache) >= maxCacheItems {
		a.evictExpired(now)
	}
	if len(a.cache) < maxCacheItems {
		a.cache[key] = cachedDecision{allowed: allowed, expires: now.Add(ttl)}
	}
	return allowed, nil
}

// evictExpired drops stale answers; called with mu held when the cache is
// full, so it stays bounded without a background sweeper.
func (a *sarAuthorizer) evictExpired(now time.Time) {
	for k, d := range a.cache {
		if !now.Before(d.expires) {
			delete(a.cache, k)
		}
	}
}
