package admissionregistration

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The values each enum field accepts, sorted as upstream lists them in
// NotSupported errors.
var (
	failurePolicies = []string{string(admissionregistrationv1.Fail), string(admissionregistrationv1.Ignore)}
	matchPolicies   = []string{string(admissionregistrationv1.Equivalent), string(admissionregistrationv1.Exact)}
	// Only side-effect-free classes may be created in v1: a webhook with
	// side effects would act on dry-run requests it cannot tell apart.
	sideEffectClasses    = []string{string(admissionregistrationv1.SideEffectClassNone), string(admissionregistrationv1.SideEffectClassNoneOnDryRun)}
	operations           = []string{"*", "CONNECT", "CREATE", "DELETE", "UPDATE"}
	scopes               = []string{"*", "Cluster", "Namespaced"}
	reinvocationPolicies = []string{string(admissionregistrationv1.IfNeededReinvocationPolicy), string(admissionregistrationv1.NeverReinvocationPolicy)}
	// reviewVersions are the AdmissionReview versions hanok sends; a
	// webhook must speak one of them.
	reviewVersions = []string{"v1", "v1beta1"}
)

// validateWebhooks checks every webhook of a configuration and that their
// names are unique: the name is how a denial or failure is reported, and
// how reinvocation tells webhooks apart.
func validateWebhooks(hooks []webhook, reinvocation []*admissionregistrationv1.ReinvocationPolicyType) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, h := range hooks {
		p := field.NewPath("webhooks").Index(i)
		errs = append(errs, h.validate(p)...)
		if reinvocation != nil && reinvocation[i] != nil && !slices.Contains(reinvocationPolicies, string(*reinvocation[i])) {
			errs = append(errs, field.NotSupported(p.Child("reinvocationPolicy"), *reinvocation[i], reinvocationPolicies))
		}
		if h.name != "" {
			if seen[h.name] {
				errs = append(errs, field.Duplicate(p.Child("name"), h.name))
			}
			seen[h.name] = true
		}
	}
	return errs
}

func (w webhook) validate(p *field.Path) field.ErrorList {
	// A fully qualified name (three or more dot-separated segments, e.g.
	// "pod-policy.example.com") keeps webhooks of different vendors apart.
	errs := utilvalidation.IsFullyQualifiedName(p.Child("name"), w.name)
	for i := range w.rules {
		errs = append(errs, validateRule(&w.rules[i], p.Child("rules").Index(i))...)
	}
	if fp := *w.failurePolicy; fp != nil && !slices.Contains(failurePolicies, string(*fp)) {
		errs = append(errs, field.NotSupported(p.Child("failurePolicy"), *fp, failurePolicies))
	}
	if mp := *w.matchPolicy; mp != nil && !slices.Contains(matchPolicies, string(*mp)) {
		errs = append(errs, field.NotSupported(p.Child("matchPolicy"), *mp, matchPolicies))
	}
	switch se := *w.sideEffects; {
	case se == nil:
		errs = append(errs, field.Required(p.Child("sideEffects"), "must specify one of "+strings.Join(sideEffectClasses, ", ")))
	case !slices.Contains(sideEffectClasses, string(*se)):
		errs = append(errs, field.NotSupported(p.Child("sideEffects"), *se, sideEffectClasses))
	}
	if t := *w.timeoutSeconds; t != nil && (*t < 1 || *t > 30) {
		errs = append(errs, field.Invalid(p.Child("timeoutSeconds"), *t, "the timeout value must be between 1 and 30 seconds"))
	}
	if s := *w.namespaceSelector; s != nil {
		errs = append(errs, metav1validation.ValidateLabelSelector(s, metav1validation.LabelSelectorValidationOptions{}, p.Child("namespaceSelector"))...)
	}
	if s := *w.objectSelector; s != nil {
		errs = append(errs, metav1validation.ValidateLabelSelector(s, metav1validation.LabelSelectorValidationOptions{}, p.Child("objectSelector"))...)
	}
	errs = append(errs, validateClientConfig(w.clientConfig, p.Child("clientConfig"))...)
	errs = append(errs, validateReviewVersions(w.admissionReviewVersions, p.Child("admissionReviewVersions"))...)
	if len(w.matchConditions) > 0 {
		errs = append(errs, field.Forbidden(p.Child("matchConditions"),
			"match conditions (CEL) are not supported by hanok; narrow the webhook with rules, namespaceSelector and objectSelector instead"))
	}
	return errs
}

// validateRule checks one rule. "*" must stand alone in each list: mixing
// it with names reads as a restriction that is not one.
func validateRule(r *admissionregistrationv1.RuleWithOperations, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	ops := make([]string, len(r.Operations))
	for i, op := range r.Operations {
		ops[i] = string(op)
		if !slices.Contains(operations, ops[i]) {
			errs = append(errs, field.NotSupported(p.Child("operations").Index(i), op, operations))
		}
	}
	errs = append(errs, requireList(ops, p.Child("operations"), "operations")...)
	errs = append(errs, requireList(r.APIGroups, p.Child("apiGroups"), "API groups")...)
	// A group may be "" (the core group); a version may not.
	errs = append(errs, requireList(r.APIVersions, p.Child("apiVersions"), "API versions")...)
	for i, v := range r.APIVersions {
		if v == "" {
			errs = append(errs, field.Required(p.Child("apiVersions").Index(i), ""))
		}
	}
	errs = append(errs, validateResources(r.Resources, p.Child("resources"))...)
	if r.Scope != nil && !slices.Contains(scopes, string(*r.Scope)) {
		errs = append(errs, field.NotSupported(p.Child("scope"), *r.Scope, scopes))
	}
	return errs
}

// requireList: the list is not empty, and a "*" in it is its only entry.
func requireList(list []string, p *field.Path, what string) field.ErrorList {
	if len(list) == 0 {
		return field.ErrorList{field.Required(p, "")}
	}
	if len(list) > 1 && slices.Contains(list, "*") {
		return field.ErrorList{field.Invalid(p, list, "if '*' is present, must not specify other "+what)}
	}
	return nil
}

// validateResources checks "resource", "resource/subresource" and their
// wildcards: "*/*" stands alone, "*" does not mix with plain resources,
// and "x/*" or "*/y" make "x/y" redundant (upstream refuses the
// redundancy so the rule reads the way it matches).
func validateResources(resources []string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(resources) == 0 {
		errs = append(errs, field.Required(p, ""))
	}
	anySub := map[string]bool{} // "x/*" seen, by x
	anyRes := map[string]bool{} // "*/y" seen, by y
	var all, star, plain bool
	for i, r := range resources {
		if r == "" {
			errs = append(errs, field.Required(p.Index(i), ""))
			continue
		}
		all = all || r == "*/*"
		star = star || r == "*"
		res, sub, hasSub := strings.Cut(r, "/")
		if !hasSub {
			plain = plain || r != "*"
			continue
		}
		if anySub[res] {
			errs = append(errs, field.Invalid(p.Index(i), r, fmt.Sprintf("if '%s/*' is present, must not specify %s", res, r)))
		}
		if anyRes[sub] {
			errs = append(errs, field.Invalid(p.Index(i), r, fmt.Sprintf("if '*/%s' is present, must not specify %s", sub, r)))
		}
		anySub[res] = anySub[res] || sub == "*"
		anyRes[sub] = anyRes[sub] || res == "*"
	}
	if all && len(resources) > 1 {
		errs = append(errs, field.Invalid(p, resources, "if '*/*' is present, must not specify other resources"))
	}
	if star && plain {
		errs = append(errs, field.Invalid(p, resources, "if '*' is present, must not specify other resources without subresources"))
	}
	return errs
}

// validateClientConfig: exactly one of url and service.
func validateClientConfig(cc *admissionregistrationv1.WebhookClientConfig, p *field.Path) field.ErrorList {
	switch {
	case (cc.URL == nil) == (cc.Service == nil):
		return field.ErrorList{field.Required(p, "exactly one of url or service is required")}
	case cc.URL != nil:
		return validateURL(*cc.URL, p.Child("url"))
	default:
		return validateService(cc.Service, p.Child("service"))
	}
}

// validateURL accepts https://host[:port][/path] only: webhooks see every
// object they match, so they are never called in clear text, and query,
// fragment and credentials have no defined meaning in a webhook call.
func validateURL(raw string, p *field.Path) field.ErrorList {
	const form = "; desired format: https://host[/path]"
	u, err := url.Parse(raw)
	if err != nil {
		return field.ErrorList{field.Required(p, "url must be a valid URL: "+err.Error()+form)}
	}
	var errs field.ErrorList
	if u.Scheme != "https" {
		errs = append(errs, field.Invalid(p, u.Scheme, "'https' is the only allowed URL scheme"+form))
	}
	if u.Host == "" {
		errs = append(errs, field.Invalid(p, u.Host, "host must be specified"+form))
	}
	if u.User != nil {
		errs = append(errs, field.Invalid(p, u.User.String(), "user information is not permitted in the URL"))
	}
	if u.Fragment != "" {
		errs = append(errs, field.Invalid(p, u.Fragment, "fragments are not permitted in the URL"))
	}
	if u.RawQuery != "" {
		errs = append(errs, field.Invalid(p, u.RawQuery, "query parameters are not permitted in the URL"))
	}
	return errs
}

// validateService checks a service reference: name, namespace, a port, and
// a path of DNS-subdomain segments (upstream's rule, so paths stay simple).
func validateService(s *admissionregistrationv1.ServiceReference, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if s.Name == "" {
		errs = append(errs, field.Required(p.Child("name"), "service name is required"))
	}
	if s.Namespace == "" {
		errs = append(errs, field.Required(p.Child("namespace"), "service namespace is required"))
	}
	if s.Port != nil {
		if msgs := utilvalidation.IsValidPortNum(int(*s.Port)); len(msgs) > 0 {
			errs = append(errs, field.Invalid(p.Child("port"), *s.Port, "port is not valid: "+strings.Join(msgs, ", ")))
		}
	}
	if s.Path == nil || *s.Path == "" || *s.Path == "/" {
		return errs
	}
	path := *s.Path
	if !strings.HasPrefix(path, "/") {
		return append(errs, field.Invalid(p.Child("path"), path, "must start with a '/'"))
	}
	for i, seg := range strings.Split(strings.TrimSuffix(path[1:], "/"), "/") {
		if seg == "" {
			errs = append(errs, field.Invalid(p.Child("path"), path, fmt.Sprintf("segment[%d] may not be empty", i)))
			continue
		}
		for _, msg := range utilvalidation.IsDNS1123Subdomain(seg) {
			errs = append(errs, field.Invalid(p.Child("path"), path, fmt.Sprintf("segment[%d]: %v", i, msg)))
		}
	}
	return errs
}

// validateReviewVersions: at least one version, no duplicates, each a DNS
// label, and one of them a version hanok sends.
func validateReviewVersions(versions []string, p *field.Path) field.ErrorList {
	if len(versions) == 0 {
		return field.ErrorList{field.Required(p, "must specify one of "+strings.Join(reviewVersions, ", "))}
	}
	var errs field.ErrorList
	seen := map[string]bool{}
	known := false
	for i, v := range versions {
		if seen[v] {
			errs = append(errs, field.Invalid(p.Index(i), v, "duplicate version"))
			continue
		}
		seen[v] = true
		for _, msg := range utilvalidation.IsDNS1035Label(v) {
			errs = append(errs, field.Invalid(p.Index(i), v, msg))
		}
		known = known || slices.Contains(reviewVersions, v)
	}
	if !known {
		errs = append(errs, field.Invalid(p, versions, "must include at least one of "+strings.Join(reviewVersions, ", ")))
	}
	return errs
}
