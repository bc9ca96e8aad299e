package core

import (
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func TestLimitRange(t *testing.T) {
	q := resource.MustParse
	lr := &v1.LimitRange{ObjectMeta: objMeta("limits"), Spec: v1.LimitRangeSpec{Limits: []v1.LimitRangeItem{{
		Type: v1.LimitTypeContainer,
		Max:  v1.ResourceList{v1.ResourceCPU: q("2")},
		Min:  v1.ResourceList{v1.ResourceMemory: q("64Mi")},
	}}}}
	expectErrors(t, create(limitRangeStrategy{}, lr), "")
	item := lr.Spec.Limits[0]
	if d := item.Default[v1.ResourceCPU]; d.String() != "2" {
		t.Errorf("default cpu = %s, want max 2", d.String())
	}
	if d := item.DefaultRequest[v1.ResourceCPU]; d.String() != "2" {
		t.Errorf("defaultRequest cpu = %s, want default 2", d.String())
	}
	if d := item.DefaultRequest[v1.ResourceMemory]; d.String() != "64Mi" {
		t.Errorf("defaultRequest memory = %s, want min 64Mi", d.String())
	}

	for _, tt := range []struct {
		name string
		item v1.LimitRangeItem
		want string
	}{
		{"min above max", v1.LimitRangeItem{Type: v1.LimitTypeContainer, Min: v1.ResourceList{v1.ResourceCPU: q("2")}, Max: v1.ResourceList{v1.ResourceCPU: q("1")}},
			`spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1`},
		{"negative", v1.LimitRangeItem{Type: v1.LimitTypePod, Max: v1.ResourceList{v1.ResourceMemory: q("-1")}},
			`spec.limits[0].max[memory]: Invalid value: "-1": must be greater than or equal to 0`},
		{"pod default", v1.LimitRangeItem{Type: v1.LimitTypePod, Default: v1.ResourceList{v1.ResourceCPU: q("1")}},
			"spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'"},
		{"no type", v1.LimitRangeItem{}, "spec.limits[0].type: Required value"},
		{"ratio below one", v1.LimitRangeItem{Type: v1.LimitTypeContainer, MaxLimitRequestRatio: v1.ResourceList{v1.ResourceCPU: q("500m")}},
			"ratio 500m is less than 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := &v1.LimitRange{ObjectMeta: objMeta("limits"), Spec: v1.LimitRangeSpec{Limits: []v1.LimitRangeItem{tt.item}}}
			expectErrors(t, create(limitRangeStrategy{}, l), tt.want)
		})
	}
	row := limitRangeStrategy{}.TableRow(lr)
	if len(row) != 1 || row[0] != "0001-01-01T00:00:00Z" {
		t.Errorf("CREATED AT row = %v", row)
	}
}

func TestResourceQuota(t *testing.T) {
	q := resource.MustParse
	quota := &v1.ResourceQuota{ObjectMeta: objMeta("compute"), Spec: v1.ResourceQuotaSpec{
		Hard: v1.ResourceList{v1.ResourceRequestsCPU: q("4"), v1.ResourceLimitsMemory: q("8Gi"), v1.ResourcePods: q("10")}}}
	quota.Status.Used = v1.ResourceList{v1.ResourcePods: q("3")} // clients may not set status
	expectErrors(t, create(quotaStrategy{}, quota), "")
	if quota.Status.Used != nil {
		t.Errorf("status kept on create: %+v", quota.Status)
	}

	for _, tt := range []struct {
		name string
		spec v1.ResourceQuotaSpec
		want string
	}{
		{"fractional pods", v1.ResourceQuotaSpec{Hard: v1.ResourceList{v1.ResourcePods: q("1.5")}},
			`spec.hard[pods]: Invalid value: "1500m": must be an integer`},
		{"unknown resource", v1.ResourceQuotaSpec{Hard: v1.ResourceList{"gpus": q("1")}},
			`spec.hard[gpus]: Invalid value: "gpus": must be a standard resource type or fully qualified`},
		{"conflicting scopes", v1.ResourceQuotaSpec{Hard: v1.ResourceList{v1.ResourcePods: q("1")},
			Scopes: []v1.ResourceQuotaScope{v1.ResourceQuotaScopeBestEffort, v1.ResourceQuotaScopeNotBestEffort}},
			"conflicting scopes: BestEffort, NotBestEffort"},
		{"bad scope", v1.ResourceQuotaSpec{Scopes: []v1.ResourceQuotaScope{"Sometimes"}}, `spec.scopes: Unsupported value: "Sometimes"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := &v1.ResourceQuota{ObjectMeta: objMeta("q"), Spec: tt.spec}
			expectErrors(t, create(quotaStrategy{}, r), tt.want)
		})
	}

	quota.Status = v1.ResourceQuotaStatus{
		Hard: quota.Spec.Hard,
		Used: v1.ResourceList{v1.ResourceRequestsCPU: q("500m"), v1.ResourceLimitsMemory: q("1Gi"), v1.ResourcePods: q("3")},
	}
	row := quotaStrategy{}.TableRow(quota)
	if row[0] != "pods: 3/10, requests.cpu: 500m/4" || row[1] != "limits.memory: 1Gi/8Gi" {
		t.Errorf("row = %q", row)
	}
}
