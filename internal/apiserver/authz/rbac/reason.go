package rbac

import (
	"strconv"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// allowedReason is upstream's audit reason for an allowed request, e.g.
//
//	RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"
//	RBAC: allowed by RoleBinding "read/ns1" of Role "reader" to ServiceAccount "sa/ns1"
//
// naming the first subject of the binding that applies to the user. It runs
// on every allowed request, so each binding keeps the text per subject.
func allowedReason(b *binding, u *authn.User) string {
	i, ok := appliesTo(u, b.subjects, b.namespace)
	if !ok {
		return formatReason(b, -1) // cannot happen: the index found b through u
	}
	if r := b.reasons[i].Load(); r != nil {
		return *r
	}
	r := formatReason(b, i)
	b.reasons[i].Store(&r)
	return r
}

// formatReason formats the reason for subject i of b (none when i < 0).
func formatReason(b *binding, i int) string {
	var sb strings.Builder
	sb.Grow(128)
	sb.WriteString("RBAC: allowed by ")
	sb.WriteString(b.kind)
	sb.WriteByte(' ')
	if b.namespace != "" {
		sb.WriteString(strconv.Quote(b.name + "/" + b.namespace))
	} else {
		sb.WriteString(strconv.Quote(b.name))
	}
	sb.WriteString(" of ")
	sb.WriteString(b.roleRef.Kind)
	sb.WriteByte(' ')
	sb.WriteString(strconv.Quote(b.roleRef.Name))
	sb.WriteString(" to ")
	if i >= 0 {
		sb.WriteString(describeSubject(&b.subjects[i], b.namespace))
	}
	return sb.String()
}

func describeSubject(s *rbacv1.Subject, bindingNamespace string) string {
	if s.Kind == rbacv1.ServiceAccountKind {
		ns := s.Namespace
		if ns == "" {
			ns = bindingNamespace
		}
		return s.Kind + " " + strconv.Quote(s.Name+"/"+ns)
	}
	return s.Kind + " " + strconv.Quote(s.Name)
}
