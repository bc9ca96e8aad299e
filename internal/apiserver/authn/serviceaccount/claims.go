package serviceaccount

import "github.com/go-jose/go-jose/v4/jwt"

// LegacyIssuer is the issuer of secret-based tokens.
const LegacyIssuer = "kubernetes/serviceaccount"

// DefaultIssuer is the issuer of bound tokens for a cluster domain, as
// kubeadm and k3s configure it.
func DefaultIssuer(clusterDomain string) string {
	return "https://kubernetes.default.svc." + clusterDomain
}

// boundClaims is the private part of a bound token.
type boundClaims struct {
	Kubernetes kubernetesClaims `json:"kubernetes.io,omitempty"`
}

type kubernetesClaims struct {
	Namespace      string           `json:"namespace,omitempty"`
	ServiceAccount ref              `json:"serviceaccount,omitempty"`
	Pod            *ref             `json:"pod,omitempty"`
	Secret         *ref             `json:"secret,omitempty"`
	Node           *ref             `json:"node,omitempty"`
	WarnAfter      *jwt.NumericDate `json:"warnafter,omitempty"`
}

type ref struct {
	Name string `json:"name,omitempty"`
	UID  string `json:"uid,omitempty"`
}

// legacyClaims is the private part of a secret-based token.
type legacyClaims struct {
	ServiceAccountName string `json:"kubernetes.io/serviceaccount/service-account.name"`
	ServiceAccountUID  string `json:"kubernetes.io/serviceaccount/service-account.uid"`
	SecretName         string `json:"kubernetes.io/serviceaccount/secret.name"`
	Namespace          string `json:"kubernetes.io/serviceaccount/namespace"`
}
