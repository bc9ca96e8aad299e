package core

import (
	"context"
	"fmt"
	"time"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/podspec"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func limitRanges() *registry.Resource {
	return &registry.Resource{
		GroupVersion: v1.SchemeGroupVersion, Kind: "LimitRange",
		Plural: "limitranges", Singular: "limitrange", ShortNames: []string{"limits"},
		Namespaced: true,
		New:        func() runtime.Object { return &v1.LimitRange{} },
		NewList:    func() runtime.Object { return &v1.LimitRangeList{} },
		Strategy:   limitRangeStrategy{},
	}
}

type limitRangeStrategy struct{ registry.Base }

// Default fills a container item's defaults as upstream does: the default
// limit from max, the default request from the default limit, then min.
func (limitRangeStrategy) Default(obj runtime.Object) {
	lr := obj.(*v1.LimitRange)
	for i := range lr.Spec.Limits {
		item := &lr.Spec.Limits[i]
		for _, l := range []v1.ResourceList{item.Max, item.Min, item.Default, item.DefaultRequest, item.MaxLimitRequestRatio} {
			podspec.RoundResourceList(l)
		}
		if item.Type != v1.LimitTypeContainer {
			continue
		}
		if item.Default == nil {
			item.Default = v1.ResourceList{}
		}
		if item.DefaultRequest == nil {
			item.DefaultRequest = v1.ResourceList{}
		}
		fill := func(into, from v1.ResourceList) {
			for k, v := range from {
				if _, ok := into[k]; !ok {
					into[k] = v.DeepCopy()
				}
			}
		}
		fill(item.Default, item.Max)
		fill(item.DefaultRequest, item.Default)
		fill(item.DefaultRequest, item.Min)
	}
}

func (limitRangeStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	lr := obj.(*v1.LimitRange)
	return append(validateMeta(&lr.ObjectMeta, true, subdomainName), validateLimitRange(lr)...)
}

func (limitRangeStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	lr, oldLr := obj.(*v1.LimitRange), old.(*v1.LimitRange)
	return append(validateMetaUpdate(&lr.ObjectMeta, &oldLr.ObjectMeta, true, subdomainName), validateLimitRange(lr)...)
}

// validateLimitRange checks that each item is ordered min <= default
// request <= default limit <= max, for one item per type.
func validateLimitRange(lr *v1.LimitRange) field.ErrorList {
	var errs field.ErrorList
	seen := map[v1.LimitType]bool{}
	for i := range lr.Spec.Limits {
		item := &lr.Spec.Limits[i]
		p := field.NewPath("spec", "limits").Index(i)
		switch item.Type {
		case v1.LimitTypePod, v1.LimitTypeContainer, v1.LimitTypePersistentVolumeClaim:
		case "":
			errs = append(errs, field.Required(p.Child("type"), ""))
		default:
			for _, msg := range utilvalidation.IsQualifiedName(string(item.Type)) {
				errs = append(errs, field.Invalid(p.Child("type"), item.Type, msg))
			}
		}
		if seen[item.Type] {
			errs = append(errs, field.Duplicate(p.Child("type"), item.Type))
		}
		seen[item.Type] = true
		if item.Type == v1.LimitTypePod {
			if len(item.Default) > 0 {
				errs = append(errs, field.Forbidden(p.Child("default"), "may not be specified when `type` is 'Pod'"))
			}
			if len(item.DefaultRequest) > 0 {
				errs = append(errs, field.Forbidden(p.Child("defaultRequest"), "may not be specified when `type` is 'Pod'"))
			}
		}

		for _, l := range []struct {
			name string
			list v1.ResourceList
		}{{"max", item.Max}, {"min", item.Min}, {"default", item.Default}, {"defaultRequest", item.DefaultRequest}, {"maxLimitRequestRatio", item.MaxLimitRequestRatio}} {
			for name, q := range l.list {
				kp := p.Child(l.name).Key(string(name))
				errs = append(errs, podspec.ValidateResourceName(name, kp, isStandardLimitRangeResource)...)
				errs = append(errs, podspec.ValidateResourceQuantityValue(name, q, kp)...)
			}
		}

		names := map[v1.ResourceName]bool{}
		for _, l := range []v1.ResourceList{item.Max, item.Min, item.Default, item.DefaultRequest, item.MaxLimitRequestRatio} {
			for n := range l {
				names[n] = true
			}
		}
		for name := range names {
			errs = append(errs, checkLimitOrder(item, name, p)...)
		}
	}
	sortErrs(errs)
	return errs
}

func checkLimitOrder(item *v1.LimitRangeItem, name v1.ResourceName, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	key := string(name)
	minQ, hasMin := item.Min[name]
	maxQ, hasMax := item.Max[name]
	defQ, hasDef := item.Default[name]
	reqQ, hasReq := item.DefaultRequest[name]
	ratio, hasRatio := item.MaxLimitRequestRatio[name]
	bad := func(fp *field.Path, v resource.Quantity, msg string) {
		errs = append(errs, field.Invalid(fp.Key(key), v, msg))
	}
	if hasMin && hasMax && minQ.Cmp(maxQ) > 0 {
		bad(p.Child("min"), minQ, fmt.Sprintf("min value %s is greater than max value %s", minQ.String(), maxQ.String()))
	}
	if hasReq && hasMin && minQ.Cmp(reqQ) > 0 {
		bad(p.Child("defaultRequest"), reqQ, fmt.Sprintf("min value %s is greater than default request value %s", minQ.String(), reqQ.String()))
	}
	if hasReq && hasMax && reqQ.Cmp(maxQ) > 0 {
		bad(p.Child("defaultRequest"), reqQ, fmt.Sprintf("default request value %s is greater than max value %s", reqQ.String(), maxQ.String()))
	}
	if hasReq && hasDef && reqQ.Cmp(defQ) > 0 {
		bad(p.Child("defaultRequest"), reqQ, fmt.Sprintf("default request value %s is greater than default limit value %s", reqQ.String(), defQ.String()))
	}
	if hasDef && hasMin && minQ.Cmp(defQ) > 0 {
		bad(p.Child("default"), minQ, fmt.Sprintf("min value %s is greater than default value %s", minQ.String(), defQ.String()))
	}
	if hasDef && hasMax && defQ.Cmp(maxQ) > 0 {
		bad(p.Child("default"), maxQ, fmt.Sprintf("default value %s is greater than max value %s", defQ.String(), maxQ.String()))
	}
	if hasRatio && ratio.Cmp(*resource.NewQuantity(1, resource.DecimalSI)) < 0 {
		bad(p.Child("maxLimitRequestRatio"), ratio, fmt.Sprintf("ratio %s is less than 1", ratio.String()))
	}
	if hasRatio && hasMin && hasMax && minQ.Sign() > 0 {
		maxRatio := float64(maxQ.MilliValue()) / float64(minQ.MilliValue())
		if float64(ratio.MilliValue())/1000 > maxRatio {
			bad(p.Child("maxLimitRequestRatio"), ratio, fmt.Sprintf("ratio %s is greater than max/min = %f", ratio.String(), maxRatio))
		}
	}
	return errs
}

func isStandardLimitRangeResource(name v1.ResourceName) bool {
	switch name {
	case v1.ResourceCPU, v1.ResourceMemory, v1.ResourceEphemeralStorage, v1.ResourceStorage:
		return true
	}
	return podspec.IsHugePageResourceName(name)
}

// Upstream has no printer for limit ranges: kubectl shows the generic
// NAME / CREATED AT table.
func (limitRangeStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{createdAtColumn}
}

func (limitRangeStrategy) TableRow(obj runtime.Object) []interface{} {
	return []interface{}{createdAt(obj.(*v1.LimitRange).CreationTimestamp)}
}

// createdAtColumn is upstream's default column for kinds without a printer.
var createdAtColumn = metav1.TableColumnDefinition{
	Name: "Created At", Type: "date",
	Description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
}

func createdAt(t metav1.Time) string {
	return t.UTC().Format(time.RFC3339)
}
