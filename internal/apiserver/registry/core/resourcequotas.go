package core

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/podspec"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func resourceQuotas() *registry.Resource {
	return &registry.Resource{
		GroupVersion: v1.SchemeGroupVersion, Kind: "ResourceQuota",
		Plural: "resourcequotas", Singular: "resourcequota", ShortNames: []string{"quota"},
		Namespaced: true,
		New:        func() runtime.Object { return &v1.ResourceQuota{} },
		NewList:    func() runtime.Object { return &v1.ResourceQuotaList{} },
		Strategy:   quotaStrategy{}, Subresources: []string{"status"},
	}
}

var quotaScopes = []v1.ResourceQuotaScope{
	v1.ResourceQuotaScopeBestEffort, v1.ResourceQuotaScopeCrossNamespacePodAffinity, v1.ResourceQuotaScopeNotBestEffort,
	v1.ResourceQuotaScopeNotTerminating, v1.ResourceQuotaScopePriorityClass, v1.ResourceQuotaScopeTerminating,
	v1.ResourceQuotaScopeVolumeAttributesClass,
}

// standardQuotaResources are the names a quota may use without a domain.
var standardQuotaResources = map[v1.ResourceName]bool{
	v1.ResourceCPU: true, v1.ResourceMemory: true, v1.ResourceEphemeralStorage: true,
	v1.ResourceRequestsCPU: true, v1.ResourceRequestsMemory: true, v1.ResourceRequestsEphemeralStorage: true,
	v1.ResourceLimitsCPU: true, v1.ResourceLimitsMemory: true, v1.ResourceLimitsEphemeralStorage: true,
	v1.ResourceRequestsStorage: true, v1.ResourcePods: true, v1.ResourceQuotas: true, v1.ResourceServices: true,
	v1.ResourceReplicationControllers: true, v1.ResourceSecrets: true, v1.ResourceConfigMaps: true,
	v1.ResourcePersistentVolumeClaims: true, v1.ResourceServicesNodePorts: true, v1.ResourceServicesLoadBalancers: true,
}

func isStandardQuotaResource(name v1.ResourceName) bool {
	s := string(name)
	return standardQuotaResources[name] || podspec.IsHugePageResourceName(name) ||
		strings.HasPrefix(s, "requests."+v1.ResourceHugePagesPrefix)
}

type quotaStrategy struct{ registry.Base }

func (quotaStrategy) Default(obj runtime.Object) {
	q := obj.(*v1.ResourceQuota)
	podspec.RoundResourceList(q.Spec.Hard)
	podspec.RoundResourceList(q.Status.Hard)
	podspec.RoundResourceList(q.Status.Used)
}

func (quotaStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	q := obj.(*v1.ResourceQuota)
	return append(validateMeta(&q.ObjectMeta, true, subdomainName), validateQuotaSpec(&q.Spec)...)
}

func (quotaStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	q, oldQ := obj.(*v1.ResourceQuota), old.(*v1.ResourceQuota)
	return append(validateMetaUpdate(&q.ObjectMeta, &oldQ.ObjectMeta, true, subdomainName), validateQuotaSpec(&q.Spec)...)
}

// ValidateStatusUpdate checks what the quota controller writes back.
func (quotaStrategy) ValidateStatusUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	q, oldQ := obj.(*v1.ResourceQuota), old.(*v1.ResourceQuota)
	errs := validateMetaUpdate(&q.ObjectMeta, &oldQ.ObjectMeta, true, subdomainName)
	errs = append(errs, validateQuotaList(q.Status.Hard, field.NewPath("status", "hard"))...)
	return append(errs, validateQuotaList(q.Status.Used, field.NewPath("status", "used"))...)
}

func validateQuotaList(l v1.ResourceList, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for name, q := range l {
		kp := p.Key(string(name))
		errs = append(errs, podspec.ValidateResourceName(name, kp, isStandardQuotaResource)...)
		errs = append(errs, podspec.ValidateResourceQuantityValue(name, q, kp)...)
	}
	sortErrs(errs)
	return errs
}

func validateQuotaSpec(spec *v1.ResourceQuotaSpec) field.ErrorList {
	p := field.NewPath("spec")
	errs := validateQuotaList(spec.Hard, p.Child("hard"))
	scopes := map[v1.ResourceQuotaScope]bool{}
	for _, s := range spec.Scopes {
		errs = append(errs, oneOf(s, quotaScopes, true, p.Child("scopes"))...)
		scopes[s] = true
	}
	if sel := spec.ScopeSelector; sel != nil {
		for i, req := range sel.MatchExpressions {
			rp := p.Child("scopeSelector", "matchExpressions").Index(i)
			errs = append(errs, oneOf(req.ScopeName, quotaScopes, true, rp.Child("scopeName"))...)
			scopes[req.ScopeName] = true
			switch req.Operator {
			case v1.ScopeSelectorOpIn, v1.ScopeSelectorOpNotIn:
				if len(req.Values) == 0 {
					errs = append(errs, field.Required(rp.Child("values"), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"))
				}
			case v1.ScopeSelectorOpExists, v1.ScopeSelectorOpDoesNotExist:
				if len(req.Values) != 0 {
					errs = append(errs, field.Invalid(rp.Child("values"), req.Values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"))
				}
			default:
				errs = append(errs, field.Invalid(rp.Child("operator"), req.Operator, "not a valid selector operator"))
			}
		}
	}
	// Each pair describes disjoint sets of pods; together they match none.
	for _, pair := range [][2]v1.ResourceQuotaScope{
		{v1.ResourceQuotaScopeTerminating, v1.ResourceQuotaScopeNotTerminating},
		{v1.ResourceQuotaScopeBestEffort, v1.ResourceQuotaScopeNotBestEffort},
	} {
		if scopes[pair[0]] && scopes[pair[1]] {
			errs = append(errs, field.Invalid(p.Child("scopes"), spec.Scopes, fmt.Sprintf("conflicting scopes: %s, %s", pair[0], pair[1])))
		}
	}
	return errs
}

func (quotaStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		registry.Column("Request", "string", "Request represents a minimum amount of cpu/memory that a container may consume.", false),
		registry.Column("Limit", "string", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.", false),
		registry.AgeColumn,
	}
}

// TableRow shows "used/hard" per resource from status, limits.* in the
// LIMIT column and everything else in REQUEST, sorted by name.
func (quotaStrategy) TableRow(obj runtime.Object) []interface{} {
	q := obj.(*v1.ResourceQuota)
	names := make([]string, 0, len(q.Status.Hard))
	for n := range q.Status.Hard {
		names = append(names, string(n))
	}
	sort.Strings(names)
	var req, lim []string
	for _, n := range names {
		used, hard := q.Status.Used[v1.ResourceName(n)], q.Status.Hard[v1.ResourceName(n)]
		cell := fmt.Sprintf("%s: %s/%s", n, used.String(), hard.String())
		if strings.HasPrefix(n, "limits.") {
			lim = append(lim, cell)
		} else {
			req = append(req, cell)
		}
	}
	return []interface{}{strings.Join(req, ", "), strings.Join(lim, ", "), registry.Age(obj)}
}
