package rbac

import (
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// ServiceAccountUsername is the user name a service account authenticates
// as: system:serviceaccount:<namespace>:<name>.
func ServiceAccountUsername(namespace, name string) string {
	return "system:serviceaccount:" + namespace + ":" + name
}

// subjectKey is the index key a subject is filed under: a user name (a
// ServiceAccount subject becomes its user name) or a group name. ok is false
// for subjects that can never match, as upstream treats them: unknown kinds,
// and service accounts without a namespace in a ClusterRoleBinding.
// bindingNamespace is "" for ClusterRoleBindings; in a RoleBinding a
// ServiceAccount subject without a namespace means the binding's namespace.
func subjectKey(s *rbacv1.Subject, bindingNamespace string) (key string, group bool, ok bool) {
	switch s.Kind {
	case rbacv1.UserKind:
		return s.Name, false, true
	case rbacv1.GroupKind:
		return s.Name, true, true
	case rbacv1.ServiceAccountKind:
		ns := s.Namespace
		if ns == "" {
			ns = bindingNamespace
		}
		if ns == "" {
			return "", false, false
		}
		return ServiceAccountUsername(ns, s.Name), false, true
	}
	return "", false, false
}

// appliesTo returns the index of the first subject that names u, as upstream
// reports it in the "allowed by" reason. It runs on allowed requests, so it
// compares service-account names in place instead of building the user name.
func appliesTo(u *authn.User, subjects []rbacv1.Subject, bindingNamespace string) (int, bool) {
	for i := range subjects {
		s := &subjects[i]
		switch s.Kind {
		case rbacv1.UserKind:
			if u.Name == s.Name {
				return i, true
			}
		case rbacv1.GroupKind:
			if u.InGroup(s.Name) {
				return i, true
			}
		case rbacv1.ServiceAccountKind:
			ns := s.Namespace
			if ns == "" {
				ns = bindingNamespace
			}
			if ns != "" && isServiceAccountUsername(u.Name, ns, s.Name) {
				return i, true
			}
		}
	}
	return 0, false
}

// isServiceAccountUsername reports whether user == ServiceAccountUsername(ns, name).
func isServiceAccountUsername(user, ns, name string) bool {
	const prefix = "system:serviceaccount:"
	return len(user) == len(prefix)+len(ns)+1+len(name) &&
		strings.HasPrefix(user, prefix) &&
		user[len(prefix):len(prefix)+len(ns)] == ns &&
		user[len(prefix)+len(ns)] == ':' &&
		user[len(prefix)+len(ns)+1:] == name
}
