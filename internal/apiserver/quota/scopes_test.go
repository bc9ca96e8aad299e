package quota

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

func TestMatchesScopes(t *testing.T) {
	best := podWith(container("c", nil, nil))
	burstable := podWith(container("c", list("cpu", "100m"), nil))
	zeroRequests := podWith(container("c", list("cpu", "0", "memory", "0"), nil))
	storageOnly := podWith(container("c", list("ephemeral-storage", "1Gi"), nil))
	initAsks := podWith(container("c", nil, nil))
	initAsks.Spec.InitContainers = []corev1.Container{container("init", nil, list("memory", "64Mi"))}
	ephemeralAsks := podWith(container("c", nil, nil))
	ephemeralAsks.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
		Name: "debug", Resources: corev1.ResourceRequirements{Requests: list("cpu", "1")}}}}
	podLevel := podWith(container("c", nil, nil))
	podLevel.Spec.Resources = &corev1.ResourceRequirements{Requests: list("memory", "1Gi")}
	podLevelStorage := podWith(container("c", list("cpu", "1"), nil))
	podLevelStorage.Spec.Resources = &corev1.ResourceRequirements{Requests: list("ephemeral-storage", "1Gi")}
	statusSays := podWith(container("c", list("cpu", "1"), nil))
	statusSays.Status.QOSClass = corev1.PodQOSBestEffort
	deadline := podWith(container("c", nil, nil))
	deadline.Spec.ActiveDeadlineSeconds = ptr.To[int64](60)
	class := func(name string) *corev1.Pod {
		p := podWith(container("c", nil, nil))
		p.Spec.PriorityClassName = name
		return p
	}
	affinity := func(a *corev1.Affinity) *corev1.Pod {
		p := podWith(container("c", nil, nil))
		p.Spec.Affinity = a
		return p
	}
	otherNamespaces := corev1.PodAffinityTerm{Namespaces: []string{"other"}, TopologyKey: "zone"}
	anyNamespace := corev1.PodAffinityTerm{NamespaceSelector: &metav1.LabelSelector{}, TopologyKey: "zone"}
	sameNamespace := corev1.PodAffinityTerm{TopologyKey: "zone"}

	scopes := func(s ...corev1.ResourceQuotaScope) *corev1.ResourceQuota {
		return &corev1.ResourceQuota{Spec: corev1.ResourceQuotaSpec{Scopes: s}}
	}
	selector := func(op corev1.ScopeSelectorOperator, values ...string) *corev1.ResourceQuota {
		return &corev1.ResourceQuota{Spec: corev1.ResourceQuotaSpec{ScopeSelector: &corev1.ScopeSelector{
			MatchExpressions: []corev1.ScopedResourceSelectorRequirement{{ScopeName: corev1.ResourceQuotaScopePriorityClass, Operator: op, Values: values}}}}}
	}

	tests := []struct {
		name    string
		q       *corev1.ResourceQuota
		obj     runtime.Object
		want    bool
		wantErr bool
	}{
		{name: "no scopes: any pod", q: scopes(), obj: burstable, want: true},
		{name: "no scopes: any object", q: scopes(), obj: &corev1.Service{}, want: true},
		{name: "scoped: never a service", q: scopes(corev1.ResourceQuotaScopeNotTerminating), obj: &corev1.Service{}},
		{name: "scoped: never a configmap", q: scopes(corev1.ResourceQuotaScopeNotBestEffort), obj: &corev1.ConfigMap{}},

		{name: "BestEffort: nothing asked", q: scopes(corev1.ResourceQuotaScopeBestEffort), obj: best, want: true},
		{name: "BestEffort: a cpu request", q: scopes(corev1.ResourceQuotaScopeBestEffort), obj: burstable},
		{name: "BestEffort: zero requests", q: scopes(corev1.ResourceQuotaScopeBestEffort), obj: zeroRequests, want: true},
		{name: "BestEffort: only ephemeral storage", q: scopes(corev1.ResourceQuotaScopeBestEffort), obj: storageOnly, want: true},
		{name: "BestEffort: an init container's limit", q: scopes(corev1.ResourceQuotaScopeBestEffort), obj: initAsks},
		{name: "BestEffort: ephemeral containers do not count", q: scopes(corev1.ResourceQuotaScopeBestEffort), obj: ephemeralAsks, want: true},
		{name: "BestEffort: pod-level memory", q: scopes(corev1.ResourceQuotaScopeBestEffort), obj: podLevel},
		{name: "BestEffort: pod-level resources decide", q: scopes(corev1.ResourceQuotaScopeBestEffort), obj: podLevelStorage, want: true},
		{name: "BestEffort: status.qosClass decides when set", q: scopes(corev1.ResourceQuotaScopeBestEffort), obj: statusSays, want: true},
		{name: "NotBestEffort", q: scopes(corev1.ResourceQuotaScopeNotBestEffort), obj: burstable, want: true},

		{name: "Terminating: with a deadline", q: scopes(corev1.ResourceQuotaScopeTerminating), obj: deadline, want: true},
		{name: "Terminating: without", q: scopes(corev1.ResourceQuotaScopeTerminating), obj: best},
		{name: "NotTerminating", q: scopes(corev1.ResourceQuotaScopeNotTerminating), obj: best, want: true},
		{name: "every scope must match", q: scopes(corev1.ResourceQuotaScopeTerminating, corev1.ResourceQuotaScopeBestEffort), obj: deadline, want: true},
		{name: "every scope must match, one does not", q: scopes(corev1.ResourceQuotaScopeTerminating, corev1.ResourceQuotaScopeNotBestEffort), obj: deadline},

		{name: "PriorityClass In", q: selector(corev1.ScopeSelectorOpIn, "high"), obj: class("high"), want: true},
		{name: "PriorityClass In, other class", q: selector(corev1.ScopeSelectorOpIn, "high"), obj: class("low")},
		{name: "PriorityClass NotIn", q: selector(corev1.ScopeSelectorOpNotIn, "high"), obj: class("low"), want: true},
		{name: "PriorityClass NotIn, no class", q: selector(corev1.ScopeSelectorOpNotIn, "high"), obj: class(""), want: true},
		{name: "PriorityClass Exists", q: selector(corev1.ScopeSelectorOpExists), obj: class("low"), want: true},
		{name: "PriorityClass Exists, no class", q: selector(corev1.ScopeSelectorOpExists), obj: class("")},
		{name: "PriorityClass DoesNotExist", q: selector(corev1.ScopeSelectorOpDoesNotExist), obj: class(""), want: true},
		{name: "PriorityClass, bad operator", q: selector("Near", "high"), obj: class("high"), wantErr: true},
		{name: "PriorityClass In without values", q: selector(corev1.ScopeSelectorOpIn), obj: class("high"), wantErr: true},

		{name: "cross-namespace affinity by namespaces", q: scopes(corev1.ResourceQuotaScopeCrossNamespacePodAffinity),
			obj: affinity(&corev1.Affinity{PodAffinity: &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{otherNamespaces}}}), want: true},
		{name: "cross-namespace anti-affinity by selector, preferred", q: scopes(corev1.ResourceQuotaScopeCrossNamespacePodAffinity),
			obj: affinity(&corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{Weight: 1, PodAffinityTerm: anyNamespace}}}}), want: true},
		{name: "same-namespace affinity", q: scopes(corev1.ResourceQuotaScopeCrossNamespacePodAffinity),
			obj: affinity(&corev1.Affinity{PodAffinity: &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{sameNamespace}}})},
		{name: "no affinity", q: scopes(corev1.ResourceQuotaScopeCrossNamespacePodAffinity), obj: best},

		{name: "a scope pods are never in", q: scopes(corev1.ResourceQuotaScopeVolumeAttributesClass), obj: best},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MatchesScopes(tt.q, tt.obj)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("MatchesScopes = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestScopeSelectors(t *testing.T) {
	q := &corev1.ResourceQuota{Spec: corev1.ResourceQuotaSpec{
		Scopes: []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeBestEffort},
		ScopeSelector: &corev1.ScopeSelector{MatchExpressions: []corev1.ScopedResourceSelectorRequirement{
			{ScopeName: corev1.ResourceQuotaScopePriorityClass, Operator: corev1.ScopeSelectorOpIn, Values: []string{"high"}}}},
	}}
	got := ScopeSelectors(q)
	if len(got) != 2 || got[0].ScopeName != corev1.ResourceQuotaScopeBestEffort || got[0].Operator != corev1.ScopeSelectorOpExists ||
		got[1].ScopeName != corev1.ResourceQuotaScopePriorityClass {
		t.Errorf("ScopeSelectors = %+v", got)
	}
	if got := ScopeSelectors(&corev1.ResourceQuota{}); len(got) != 0 {
		t.Errorf("unscoped quota: %+v", got)
	}
}
