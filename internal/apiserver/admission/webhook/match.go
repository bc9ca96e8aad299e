package webhook

import (
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

// exempt tells whether a write is never sent to webhooks: the webhook
// configurations themselves (and upstream's admission policies), so that a
// webhook that refuses everything, or is down with failurePolicy Fail, can
// still be removed.
func exempt(a *admission.Attributes) bool {
	if a.Resource.Group != admissionregistrationv1.GroupName {
		return false
	}
	switch a.Resource.Resource {
	case "mutatingwebhookconfigurations", "validatingwebhookconfigurations",
		"validatingadmissionpolicies", "validatingadmissionpolicybindings",
		"mutatingadmissionpolicies", "mutatingadmissionpolicybindings":
		return true
	}
	return false
}

// matchesRules tells whether any of the hook's rules covers the write.
func (h *hook) matchesRules(a *admission.Attributes) bool {
	for i := range h.rules {
		if ruleMatches(&h.rules[i], a) {
			return true
		}
	}
	return false
}

func ruleMatches(r *admissionregistrationv1.RuleWithOperations, a *admission.Attributes) bool {
	return matchOperation(r.Operations, a.Operation) &&
		matchName(r.APIGroups, a.Resource.Group) &&
		matchName(r.APIVersions, a.Resource.Version) &&
		matchResource(r.Resources, a.Resource.Resource, a.Subresource) &&
		matchScope(r.Scope, a)
}

func matchOperation(ops []admissionregistrationv1.OperationType, op admission.Operation) bool {
	for _, o := range ops {
		if o == admissionregistrationv1.OperationAll || string(o) == string(op) {
			return true
		}
	}
	return false
}

// matchName matches a group or version list, where "*" is any.
func matchName(names []string, name string) bool {
	for _, n := range names {
		if n == "*" || n == name {
			return true
		}
	}
	return false
}

// matchResource matches "resource[/subresource]" patterns: "*" is every
// resource but none of their subresources, "pods/*" is pods and all its
// subresources, "*/status" every status subresource, "*/*" everything.
func matchResource(patterns []string, resource, subresource string) bool {
	for _, p := range patterns {
		res, sub, _ := strings.Cut(p, "/")
		if (res == "*" || res == resource) && (sub == "*" || sub == subresource) {
			return true
		}
	}
	return false
}

// matchScope: Namespace objects count as cluster-scoped whatever their
// attributes say, as upstream.
func matchScope(scope *admissionregistrationv1.ScopeType, a *admission.Attributes) bool {
	if scope == nil || *scope == admissionregistrationv1.AllScopes {
		return true
	}
	clusterScoped := isNamespace(a) || a.Namespace == ""
	switch *scope {
	case admissionregistrationv1.ClusterScope:
		return clusterScoped
	case admissionregistrationv1.NamespacedScope:
		return !clusterScoped
	}
	return false
}

// isNamespace tells whether the write is to a core/v1 Namespace (or one of
// its subresources).
func isNamespace(a *admission.Attributes) bool {
	return a.Resource.Group == "" && a.Resource.Resource == "namespaces"
}
