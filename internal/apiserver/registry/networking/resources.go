package networking

import (
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// Resources describes the networking.k8s.io/v1 kinds hanok serves. Unlike
// the workloads, ingresses are not in the "all" category (as upstream).
func Resources() []*registry.Resource {
	gv := networkingv1.SchemeGroupVersion
	return []*registry.Resource{
		{
			GroupVersion: gv, Kind: "Ingress", Plural: "ingresses", Singular: "ingress",
			ShortNames: []string{"ing"}, Namespaced: true,
			New:          func() runtime.Object { return &networkingv1.Ingress{} },
			NewList:      func() runtime.Object { return &networkingv1.IngressList{} },
			Strategy:     ingressStrategy{},
			Subresources: []string{"status"},
		},
		{
			GroupVersion: gv, Kind: "IngressClass", Plural: "ingressclasses", Singular: "ingressclass",
			New:      func() runtime.Object { return &networkingv1.IngressClass{} },
			NewList:  func() runtime.Object { return &networkingv1.IngressClassList{} },
			Strategy: ingressClassStrategy{},
		},
		{
			GroupVersion: gv, Kind: "NetworkPolicy", Plural: "networkpolicies", Singular: "networkpolicy",
			ShortNames: []string{"netpol"}, Namespaced: true,
			New:      func() runtime.Object { return &networkingv1.NetworkPolicy{} },
			NewList:  func() runtime.Object { return &networkingv1.NetworkPolicyList{} },
			Strategy: networkPolicyStrategy{},
		},
	}
}
