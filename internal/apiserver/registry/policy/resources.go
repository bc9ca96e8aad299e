package policy

import (
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// Resources describes the policy/v1 kinds hanok serves.
func Resources() []*registry.Resource {
	return []*registry.Resource{{
		GroupVersion: policyv1.SchemeGroupVersion, Kind: "PodDisruptionBudget", Plural: "poddisruptionbudgets", Singular: "poddisruptionbudget",
		ShortNames: []string{"pdb"}, Namespaced: true,
		New:          func() runtime.Object { return &policyv1.PodDisruptionBudget{} },
		NewList:      func() runtime.Object { return &policyv1.PodDisruptionBudgetList{} },
		Strategy:     pdbStrategy{},
		Subresources: []string{"status"},
	}}
}
