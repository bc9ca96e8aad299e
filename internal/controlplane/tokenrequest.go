package controlplane

import (
	"context"
	"fmt"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/hanok-dev/hanok/internal/apiserver"
	"github.com/hanok-dev/hanok/internal/apiserver/authn/serviceaccount"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/authentication"
)

var tokenRequestGVK = authenticationv1.SchemeGroupVersion.WithKind("TokenRequest")

// tokenRequests serves serviceaccounts/token (`kubectl create token`, and
// the kubelet's projected tokens): it checks the request and what the token
// is to be bound to, then signs a bound token. Objects are read through the
// loopback client, so they are as fresh as any client's read: a token
// asked for right after its account was created is issued.
type tokenRequests struct {
	issuer    *serviceaccount.Issuer
	audiences []string // the API server's own
	client    kubernetes.Interface
}

func (t *tokenRequests) handler(api *apiserver.Server) apiserver.SubresourceHandler {
	return api.CreateOnlySubresource(tokenRequestGVK, func() runtime.Object { return &authenticationv1.TokenRequest{} }, t.create)
}

func (t *tokenRequests) create(ctx context.Context, info *apiserver.RequestInfo, obj runtime.Object) (runtime.Object, error) {
	req := obj.(*authenticationv1.TokenRequest)
	name, namespace := info.Name, info.Namespace
	sa, err := t.client.CoreV1().ServiceAccounts(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	authentication.DefaultTokenRequest(req, t.audiences)
	if errs := authentication.ValidateTokenRequest(req, name, namespace); len(errs) > 0 {
		return nil, apierrors.NewInvalid(tokenRequestGVK.GroupKind(), name, errs)
	}
	bound, err := t.boundObjects(ctx, name, namespace, req.Spec.BoundObjectRef)
	if err != nil {
		return nil, err
	}
	// Taken before signing, so the expiry we report is never later than
	// the token's own.
	now := t.issuer.Now()
	exp, warnAfter := authentication.Lifetime(req, bound.Pod != nil, t.audiences, true)
	token, _, err := t.issuer.Issue(serviceaccount.TokenRequest{
		ServiceAccount: sa, Audiences: req.Spec.Audiences, Expiration: exp, WarnAfter: warnAfter,
		Pod: bound.Pod, Secret: bound.Secret, Node: bound.Node,
	})
	if err != nil {
		return nil, apierrors.NewInternalError(fmt.Errorf("signing the token: %w", err))
	}
	out := req.DeepCopy()
	out.Name, out.Namespace = name, namespace
	out.CreationTimestamp = metav1.NewTime(now)
	out.Status = authenticationv1.TokenRequestStatus{
		Token: token,
		// What was asked for, even when the token lives longer: this is when
		// the kubelet is to refresh it.
		ExpirationTimestamp: metav1.NewTime(now.Add(time.Duration(*req.Spec.ExpirationSeconds) * time.Second)),
	}
	return out, nil
}

// boundObjects looks up what ref names, checks it is the same object (UID)
// and, for a pod, that it runs as the account; a pod on a node brings the
// node along (its token then names the node, for information).
func (t *tokenRequests) boundObjects(ctx context.Context, saName, namespace string, ref *authenticationv1.BoundObjectReference) (serviceaccount.TokenRequest, error) {
	var bound serviceaccount.TokenRequest
	if ref == nil {
		return bound, nil
	}
	gvk := schema.FromAPIVersionAndKind(ref.APIVersion, ref.Kind)
	core := t.client.CoreV1()
	var uid types.UID
	switch {
	case gvk.Group == "" && gvk.Kind == "Pod":
		pod, err := core.Pods(namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			return bound, err
		}
		if pod.Spec.ServiceAccountName != saName {
			return bound, apierrors.NewBadRequest(fmt.Sprintf("cannot bind token for serviceaccount %q to pod running with different serviceaccount name.", saName))
		}
		bound.Pod, uid = pod, pod.UID
		if pod.Spec.NodeName != "" {
			// A node not (yet) registered leaves the token without node
			// information, as upstream; it is bound to the pod regardless.
			if node, err := core.Nodes().Get(ctx, pod.Spec.NodeName, metav1.GetOptions{}); err == nil {
				bound.Node = node
			} else if !apierrors.IsNotFound(err) {
				return bound, err
			}
		}
	case gvk.Group == "" && gvk.Kind == "Secret":
		secret, err := core.Secrets(namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			return bound, err
		}
		bound.Secret, uid = secret, secret.UID
	case gvk.Group == "" && gvk.Kind == "Node":
		node, err := core.Nodes().Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			return bound, err
		}
		bound.Node, uid = node, node.UID
	default:
		return bound, apierrors.NewBadRequest(fmt.Sprintf("cannot bind token to object of type %s", gvk.String()))
	}
	if ref.UID != "" && ref.UID != uid {
		return bound, apierrors.NewConflict(schema.GroupResource{Group: gvk.Group, Resource: gvk.Kind}, ref.Name,
			fmt.Errorf("the UID in the bound object reference (%s) does not match the UID in record. The object might have been deleted and then recreated", ref.UID))
	}
	return bound, nil
}
