package storagegroup

import (
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// Resources describes the storage.k8s.io/v1 kinds hanok serves, in
// upstream's discovery order.
func Resources() []*registry.Resource {
	gv := storagev1.SchemeGroupVersion
	return []*registry.Resource{
		{
			GroupVersion: gv, Kind: "CSIDriver", Plural: "csidrivers", Singular: "csidriver",
			New:      func() runtime.Object { return &storagev1.CSIDriver{} },
			NewList:  func() runtime.Object { return &storagev1.CSIDriverList{} },
			Strategy: csiDriverStrategy{},
		},
		{
			GroupVersion: gv, Kind: "CSINode", Plural: "csinodes", Singular: "csinode",
			New:          func() runtime.Object { return &storagev1.CSINode{} },
			NewList:      func() runtime.Object { return &storagev1.CSINodeList{} },
			Strategy:     csiNodeStrategy{},
			Subresources: []string{"status"},
		},
		{
			GroupVersion: gv, Kind: "CSIStorageCapacity", Plural: "csistoragecapacities", Singular: "csistoragecapacity",
			Namespaced: true,
			New:        func() runtime.Object { return &storagev1.CSIStorageCapacity{} },
			NewList:    func() runtime.Object { return &storagev1.CSIStorageCapacityList{} },
			Strategy:   csiStorageCapacityStrategy{},
		},
		{
			GroupVersion: gv, Kind: "StorageClass", Plural: "storageclasses", Singular: "storageclass",
			ShortNames: []string{"sc"},
			New:        func() runtime.Object { return &storagev1.StorageClass{} },
			NewList:    func() runtime.Object { return &storagev1.StorageClassList{} },
			Strategy:   storageClassStrategy{},
		},
		{
			GroupVersion: gv, Kind: "VolumeAttachment", Plural: "volumeattachments", Singular: "volumeattachment",
			New:          func() runtime.Object { return &storagev1.VolumeAttachment{} },
			NewList:      func() runtime.Object { return &storagev1.VolumeAttachmentList{} },
			Strategy:     volumeAttachmentStrategy{},
			Subresources: []string{"status"},
		},
	}
}
