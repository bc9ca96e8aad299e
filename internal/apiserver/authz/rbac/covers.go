package rbac

import (
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// Uncovered returns the parts of servant that no rule of owner grants,
// each as a rule of one verb, group, resource and name (or one verb and
// non-resource URL), as upstream's escalation check breaks rules down. A
// nil answer means owner holds everything servant grants. A wildcard in
// servant is only covered by a wildcard in owner: granting "*" needs "*".
func Uncovered(owner []rbacv1.PolicyRule, servant rbacv1.PolicyRule) []rbacv1.PolicyRule {
	var missing []rbacv1.PolicyRule
	for _, atom := range breakdown(servant) {
		covered := false
		for i := range owner {
			if covers(&owner[i], &atom) {
				covered = true
				break
			}
		}
		if !covered {
			missing = append(missing, atom)
		}
	}
	return missing
}

// breakdown splits a rule into rules of one verb and one of everything else.
func breakdown(r rbacv1.PolicyRule) []rbacv1.PolicyRule {
	var out []rbacv1.PolicyRule
	for _, verb := range r.Verbs {
		for _, url := range r.NonResourceURLs {
			out = append(out, rbacv1.PolicyRule{Verbs: []string{verb}, NonResourceURLs: []string{url}})
		}
		for _, group := range r.APIGroups {
			for _, resource := range r.Resources {
				if len(r.ResourceNames) == 0 {
					out = append(out, rbacv1.PolicyRule{Verbs: []string{verb}, APIGroups: []string{group}, Resources: []string{resource}})
					continue
				}
				for _, name := range r.ResourceNames {
					out = append(out, rbacv1.PolicyRule{Verbs: []string{verb}, APIGroups: []string{group},
						Resources: []string{resource}, ResourceNames: []string{name}})
				}
			}
		}
	}
	return out
}

// covers says whether owner grants the single-valued rule atom.
func covers(owner, atom *rbacv1.PolicyRule) bool {
	if !hasOrStar(owner.Verbs, atom.Verbs[0]) {
		return false
	}
	if len(atom.NonResourceURLs) > 0 {
		url := atom.NonResourceURLs[0]
		for _, o := range owner.NonResourceURLs {
			if o == rbacv1.NonResourceAll || o == url ||
				(strings.HasSuffix(o, "*") && strings.HasPrefix(url, strings.TrimSuffix(o, "*"))) {
				return true
			}
		}
		return false
	}
	if !hasOrStar(owner.APIGroups, atom.APIGroups[0]) || !coversResource(owner.Resources, atom.Resources[0]) {
		return false
	}
	if len(owner.ResourceNames) == 0 {
		return true
	}
	return len(atom.ResourceNames) == 1 && hasOrStar(owner.ResourceNames, atom.ResourceNames[0])
}

func hasOrStar(list []string, v string) bool {
	for _, s := range list {
		if s == "*" || s == v {
			return true
		}
	}
	return false
}

// coversResource matches "pods", "pods/log", "pods/*", "*/scale" and "*"
// as the authorizer does, with the servant's value taken literally.
func coversResource(owner []string, resource string) bool {
	base, sub, hasSub := strings.Cut(resource, "/")
	for _, o := range owner {
		switch {
		case o == rbacv1.ResourceAll || o == resource:
			return true
		case hasSub && o == base+"/*":
			return true
		case hasSub && o == "*/"+sub:
			return true
		}
	}
	return false
}
