package serviceaccount

import (
	"fmt"
	"strings"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// Names upstream gives service-account users.
const (
	UsernamePrefix       = "system:serviceaccount:"
	AllGroup             = "system:serviceaccounts"
	NamespaceGroupPrefix = "system:serviceaccounts:"
)

// Extra keys a bound token adds to its user, as upstream names them.
const (
	PodNameKey      = "authentication.kubernetes.io/pod-name"
	PodUIDKey       = "authentication.kubernetes.io/pod-uid"
	NodeNameKey     = "authentication.kubernetes.io/node-name"
	NodeUIDKey      = "authentication.kubernetes.io/node-uid"
	CredentialIDKey = "authentication.kubernetes.io/credential-id"
)

// Username is the user name of a service account.
func Username(namespace, name string) string {
	return UsernamePrefix + namespace + ":" + name
}

// SplitUsername is Username's inverse.
func SplitUsername(username string) (namespace, name string, err error) {
	rest, ok := strings.CutPrefix(username, UsernamePrefix)
	if !ok {
		return "", "", fmt.Errorf("username %q is not a service account", username)
	}
	namespace, name, ok = strings.Cut(rest, ":")
	if !ok || namespace == "" || name == "" || strings.Contains(name, ":") {
		return "", "", fmt.Errorf("username %q is not a service account", username)
	}
	return namespace, name, nil
}

// Groups are the groups every service account of namespace is in.
func Groups(namespace string) []string {
	return []string{AllGroup, NamespaceGroupPrefix + namespace}
}

// info is what a verified token says about its bearer.
type info struct {
	namespace, name, uid string
	podName, podUID      string
	nodeName, nodeUID    string
	credentialID         string
}

func (i *info) user() *authn.User {
	u := &authn.User{Name: Username(i.namespace, i.name), UID: i.uid, Groups: Groups(i.namespace)}
	add := func(k, v string) {
		if u.Extra == nil {
			u.Extra = map[string][]string{}
		}
		u.Extra[k] = []string{v}
	}
	if i.podName != "" && i.podUID != "" {
		add(PodNameKey, i.podName)
		add(PodUIDKey, i.podUID)
	}
	if i.credentialID != "" {
		add(CredentialIDKey, i.credentialID)
	}
	if i.nodeName != "" {
		add(NodeNameKey, i.nodeName)
		if i.nodeUID != "" {
			add(NodeUIDKey, i.nodeUID)
		}
	}
	return u
}
