package authentication

import (
	authenticationv1 "k8s.io/api/authentication/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// UserInfo is u as the authentication API spells it.
func UserInfo(u *authn.User) authenticationv1.UserInfo {
	info := authenticationv1.UserInfo{Username: u.Name, UID: u.UID, Groups: append([]string(nil), u.Groups...)}
	if len(u.Extra) > 0 {
		info.Extra = make(map[string]authenticationv1.ExtraValue, len(u.Extra))
		for k, v := range u.Extra {
			info.Extra[k] = append(authenticationv1.ExtraValue(nil), v...)
		}
	}
	return info
}
