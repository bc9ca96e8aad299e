package resource

import (
	resourcev1 "k8s.io/api/resource/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// Resources describes the resource.k8s.io/v1 kinds hanok serves, in
// upstream's discovery order.
func Resources() []*registry.Resource {
	gv := resourcev1.SchemeGroupVersion
	return []*registry.Resource{
		{
			GroupVersion: gv, Kind: "DeviceClass", Plural: "deviceclasses", Singular: "deviceclass",
			New:      func() runtime.Object { return &resourcev1.DeviceClass{} },
			NewList:  func() runtime.Object { return &resourcev1.DeviceClassList{} },
			Strategy: deviceClassStrategy{},
		},
		{
			GroupVersion: gv, Kind: "DeviceTaintRule", Plural: "devicetaintrules", Singular: "devicetaintrule",
			New:          func() runtime.Object { return &resourcev1.DeviceTaintRule{} },
			NewList:      func() runtime.Object { return &resourcev1.DeviceTaintRuleList{} },
			Strategy:     deviceTaintRuleStrategy{},
			Subresources: []string{"status"},
		},
		{
			GroupVersion: gv, Kind: "ResourceClaim", Plural: "resourceclaims", Singular: "resourceclaim",
			Namespaced:   true,
			New:          func() runtime.Object { return &resourcev1.ResourceClaim{} },
			NewList:      func() runtime.Object { return &resourcev1.ResourceClaimList{} },
			Strategy:     resourceClaimStrategy{},
			Subresources: []string{"status"},
		},
		{
			GroupVersion: gv, Kind: "ResourceClaimTemplate", Plural: "resourceclaimtemplates", Singular: "resourceclaimtemplate",
			Namespaced: true,
			New:        func() runtime.Object { return &resourcev1.ResourceClaimTemplate{} },
			NewList:    func() runtime.Object { return &resourcev1.ResourceClaimTemplateList{} },
			Strategy:   resourceClaimTemplateStrategy{},
		},
		{
			GroupVersion: gv, Kind: "ResourceSlice", Plural: "resourceslices", Singular: "resourceslice",
			New:      func() runtime.Object { return &resourcev1.ResourceSlice{} },
			NewList:  func() runtime.Object { return &resourcev1.ResourceSliceList{} },
			Strategy: resourceSliceStrategy{},
		},
	}
}
