package rbac

import (
	"cmp"
	"slices"
	"sync/atomic"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// binding is one ClusterRoleBinding or RoleBinding as the index keeps it.
type binding struct {
	kind      string // "ClusterRoleBinding" or "RoleBinding"
	name      string
	namespace string // "" for ClusterRoleBindings
	roleRef   rbacv1.RoleRef
	subjects  []rbacv1.Subject
	// multi is set when more than one subject is indexable: only such a
	// binding can be reached through two keys of one user, so only these
	// need de-duplicating when candidates are collected.
	multi bool
	// reasons caches the "allowed by" text per subject, built on first use:
	// formatting it on every allowed request was half the cost of a decision.
	reasons []atomic.Pointer[string]
}

func newBinding(kind, name, namespace string, ref rbacv1.RoleRef, subjects []rbacv1.Subject) *binding {
	return &binding{kind: kind, name: name, namespace: namespace, roleRef: ref, subjects: subjects,
		reasons: make([]atomic.Pointer[string], len(subjects))}
}

// subjectIndex files bindings under the users and groups they name.
type subjectIndex struct {
	users  map[string][]*binding
	groups map[string][]*binding
}

func newSubjectIndex() *subjectIndex {
	return &subjectIndex{users: map[string][]*binding{}, groups: map[string][]*binding{}}
}

func (ix *subjectIndex) add(b *binding) {
	n := 0
	for i := range b.subjects {
		key, group, ok := subjectKey(&b.subjects[i], b.namespace)
		if !ok {
			continue
		}
		m := ix.users
		if group {
			m = ix.groups
		}
		list := m[key]
		if len(list) > 0 && list[len(list)-1] == b {
			continue // the binding names this subject twice
		}
		m[key] = append(list, b)
		n++
	}
	b.multi = n > 1
}

// collect appends to out the bindings that name u, each once. Callers pass a
// stack buffer so the common case does not allocate.
func (ix *subjectIndex) collect(u *authn.User, out []*binding) []*binding {
	out = appendCandidates(out, ix.users[u.Name])
	for _, g := range u.Groups {
		out = appendCandidates(out, ix.groups[g])
	}
	return out
}

func appendCandidates(out, add []*binding) []*binding {
	for _, b := range add {
		if b.multi && slices.Contains(out, b) {
			continue
		}
		out = append(out, b)
	}
	return out
}

// clusterSnapshot is the index of all ClusterRoleBindings at generation gen.
type clusterSnapshot struct {
	gen uint64
	idx *subjectIndex
}

func buildClusterSnapshot(gen uint64, list []*rbacv1.ClusterRoleBinding) *clusterSnapshot {
	// Sorted so that candidates, and so RulesFor output and reasons, do not
	// depend on the informer's map order.
	list = slices.Clone(list)
	slices.SortFunc(list, func(a, b *rbacv1.ClusterRoleBinding) int { return cmp.Compare(a.Name, b.Name) })
	idx := newSubjectIndex()
	for _, crb := range list {
		idx.add(newBinding("ClusterRoleBinding", crb.Name, "", crb.RoleRef, crb.Subjects))
	}
	return &clusterSnapshot{gen: gen, idx: idx}
}

// namespaceSnapshot is the index of all RoleBindings, per namespace, at
// generation gen.
type namespaceSnapshot struct {
	gen  uint64
	byNS map[string]*subjectIndex
}

func buildNamespaceSnapshot(gen uint64, list []*rbacv1.RoleBinding) *namespaceSnapshot {
	list = slices.Clone(list)
	slices.SortFunc(list, func(a, b *rbacv1.RoleBinding) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	byNS := map[string]*subjectIndex{}
	for _, rb := range list {
		idx := byNS[rb.Namespace]
		if idx == nil {
			idx = newSubjectIndex()
			byNS[rb.Namespace] = idx
		}
		idx.add(newBinding("RoleBinding", rb.Name, rb.Namespace, rb.RoleRef, rb.Subjects))
	}
	return &namespaceSnapshot{gen: gen, byNS: byNS}
}
