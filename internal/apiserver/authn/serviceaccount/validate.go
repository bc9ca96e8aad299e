package serviceaccount

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// LegacyTokenInvalidSinceLabel on a token Secret disables its legacy token,
// as upstream's legacy-token cleaner marks unused ones.
const LegacyTokenInvalidSinceLabel = "kubernetes.io/legacy-token-invalid-since"

// validateBound checks a bound token's times and that what it is bound to
// still exists with the same UID. Objects deleted (deletionTimestamp set)
// more than the clock leeway ago count as gone.
func (a *Authenticator) validateBound(public *jwt.Claims, private *boundClaims) (*info, error) {
	now := a.now()
	switch err := public.ValidateWithLeeway(jwt.Expected{Time: now}, jwt.DefaultLeeway); {
	case err == nil:
	case errors.Is(err, jwt.ErrExpired):
		return nil, fmt.Errorf("%w: service account token has expired", errInvalid)
	default:
		return nil, fmt.Errorf("%w: service account token could not be validated: %v", errInvalid, err)
	}
	k := &private.Kubernetes
	if k.Namespace == "" || k.ServiceAccount.Name == "" || k.ServiceAccount.UID == "" {
		return nil, fmt.Errorf("%w: kubernetes.io claim is incomplete", errInvalid)
	}
	if public.Subject != Username(k.Namespace, k.ServiceAccount.Name) {
		return nil, fmt.Errorf("%w: sub claim does not match the kubernetes.io claim", errInvalid)
	}
	deletedBefore := now.Add(-jwt.DefaultLeeway)
	ns := k.Namespace

	sa, err := a.getter.GetServiceAccount(ns, k.ServiceAccount.Name)
	if err := bindingError("service account", ns+"/"+k.ServiceAccount.Name, k.ServiceAccount.UID, objectMeta(sa), err, deletedBefore); err != nil {
		return nil, err
	}
	who := &info{namespace: ns, name: k.ServiceAccount.Name, uid: k.ServiceAccount.UID, credentialID: credentialID(public.ID)}

	if s := k.Secret; s != nil {
		secret, err := a.getter.GetSecret(ns, s.Name)
		if err := bindingError("secret", ns+"/"+s.Name, s.UID, objectMeta(secret), err, deletedBefore); err != nil {
			return nil, err
		}
	}
	if p := k.Pod; p != nil {
		pod, err := a.getter.GetPod(ns, p.Name)
		if err := bindingError("pod", ns+"/"+p.Name, p.UID, objectMeta(pod), err, deletedBefore); err != nil {
			return nil, err
		}
		who.podName, who.podUID = p.Name, p.UID
	}
	if n := k.Node; n != nil {
		// A pod-bound token names the pod's node for information; the pod
		// check above already ties the token to a live object.
		if k.Pod == nil {
			node, err := a.getter.GetNode(n.Name)
			if err := bindingError("node", n.Name, n.UID, objectMeta(node), err, deletedBefore); err != nil {
				return nil, err
			}
		}
		who.nodeName, who.nodeUID = n.Name, n.UID
	}
	return who, nil
}

// objectMeta returns o's metadata, or nil for a nil object (a getter may
// report not-found that way). A nil *T must not reach an interface: its
// methods would dereference it.
func objectMeta[T any, PT interface {
	*T
	metav1.Object
}](o PT) metav1.Object {
	if o == nil {
		return nil
	}
	return o
}

// bindingError says why a token bound to kind/name (with uid) is no
// longer valid, or returns nil.
func bindingError(kind, name, uid string, m metav1.Object, err error, deletedBefore time.Time) error {
	switch {
	case apierrors.IsNotFound(err) || err == nil && m == nil:
		return fmt.Errorf("%w: %s %s not found", errInvalid, kind, name)
	case err != nil:
		// The cache failed, not the token: say so (still a 401).
		return fmt.Errorf("looking up %s %s: %w", kind, name, err)
	case m.GetDeletionTimestamp() != nil && m.GetDeletionTimestamp().Time.Before(deletedBefore):
		return fmt.Errorf("%w: %s %s has been deleted", errInvalid, kind, name)
	case string(m.GetUID()) != uid:
		return fmt.Errorf("%w: %s UID (%s) does not match claim (%s)", errInvalid, kind, m.GetUID(), uid)
	}
	return nil
}

func credentialID(jti string) string {
	if jti == "" {
		return ""
	}
	return "JTI=" + jti
}

// validateLegacy checks a secret-based token: its claims agree, the Secret
// still holds exactly this token and is not marked invalid, and the
// account is the same one (UID).
func (a *Authenticator) validateLegacy(token string, public *jwt.Claims, private *legacyClaims) (*info, error) {
	switch {
	case public.Subject == "":
		return nil, fmt.Errorf("%w: sub claim is missing", errInvalid)
	case private.Namespace == "":
		return nil, fmt.Errorf("%w: namespace claim is missing", errInvalid)
	case private.SecretName == "":
		return nil, fmt.Errorf("%w: secretName claim is missing", errInvalid)
	case private.ServiceAccountName == "":
		return nil, fmt.Errorf("%w: serviceAccountName claim is missing", errInvalid)
	case private.ServiceAccountUID == "":
		return nil, fmt.Errorf("%w: serviceAccountUID claim is missing", errInvalid)
	}
	ns, name, err := SplitUsername(public.Subject)
	if err != nil || ns != private.Namespace || name != private.ServiceAccountName {
		return nil, fmt.Errorf("%w: sub claim is invalid", errInvalid)
	}

	secret, err := a.getter.GetSecret(ns, private.SecretName)
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("looking up secret %s/%s: %w", ns, private.SecretName, err)
	}
	if secret == nil || err != nil || secret.DeletionTimestamp != nil {
		return nil, fmt.Errorf("%w: Token has been invalidated", errInvalid)
	}
	if subtle.ConstantTimeCompare(secret.Data[corev1.ServiceAccountTokenKey], []byte(token)) != 1 {
		return nil, fmt.Errorf("%w: Token does not match server's copy", errInvalid)
	}
	if _, marked := secret.Labels[LegacyTokenInvalidSinceLabel]; marked {
		return nil, fmt.Errorf("%w: the token in secret %s/%s for service account %s/%s has been marked invalid; use tokens from the TokenRequest API or remove the %q label from the secret",
			errInvalid, ns, secret.Name, ns, name, LegacyTokenInvalidSinceLabel)
	}

	sa, err := a.getter.GetServiceAccount(ns, name)
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("looking up service account %s/%s: %w", ns, name, err)
	}
	if sa == nil || err != nil {
		return nil, fmt.Errorf("%w: service account %s/%s not found", errInvalid, ns, name)
	}
	if sa.DeletionTimestamp != nil {
		return nil, fmt.Errorf("%w: ServiceAccount %s/%s has been deleted", errInvalid, ns, name)
	}
	if string(sa.UID) != private.ServiceAccountUID {
		return nil, fmt.Errorf("%w: ServiceAccount UID (%s) does not match claim (%s)", errInvalid, sa.UID, private.ServiceAccountUID)
	}
	return &info{namespace: ns, name: name, uid: private.ServiceAccountUID}, nil
}
