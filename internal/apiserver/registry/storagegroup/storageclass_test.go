package storagegroup

import (
	"reflect"
	"testing"

	v1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func ptr[T any](v T) *T { return &v }

func newClass() *storagev1.StorageClass {
	return &storagev1.StorageClass{
		ObjectMeta:  metav1.ObjectMeta{Name: "local-path", ResourceVersion: "1"},
		Provisioner: "rancher.io/local-path",
		Parameters:  map[string]string{"nodePath": "/var/lib/hanok/storage"},
	}
}

func TestStorageClassDefaults(t *testing.T) {
	sc := newClass()
	if errs := registrytest.Create(storageClassStrategy{}, sc); len(errs) != 0 {
		t.Fatal(errs)
	}
	if *sc.ReclaimPolicy != v1.PersistentVolumeReclaimDelete || *sc.VolumeBindingMode != storagev1.VolumeBindingImmediate {
		t.Errorf("defaults: %v %v", *sc.ReclaimPolicy, *sc.VolumeBindingMode)
	}
	kept := newClass()
	kept.ReclaimPolicy = ptr(v1.PersistentVolumeReclaimRetain)
	kept.VolumeBindingMode = ptr(storagev1.VolumeBindingWaitForFirstConsumer)
	registrytest.Create(storageClassStrategy{}, kept)
	if *kept.ReclaimPolicy != v1.PersistentVolumeReclaimRetain || *kept.VolumeBindingMode != storagev1.VolumeBindingWaitForFirstConsumer {
		t.Errorf("explicit values overwritten")
	}
}

func TestStorageClassValidate(t *testing.T) {
	zone := func(values ...string) v1.TopologySelectorTerm {
		return v1.TopologySelectorTerm{MatchLabelExpressions: []v1.TopologySelectorLabelRequirement{{Key: v1.LabelTopologyZone, Values: values}}}
	}
	tests := []struct {
		name   string
		mutate func(*storagev1.StorageClass)
		want   []registrytest.WantErr
	}{
		{"valid", func(*storagev1.StorageClass) {}, nil},
		{"topologies", func(sc *storagev1.StorageClass) {
			sc.AllowedTopologies = []v1.TopologySelectorTerm{zone("a"), zone("b")}
		}, nil},
		{"no provisioner", func(sc *storagev1.StorageClass) { sc.Provisioner = "" }, []registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "provisioner"}}},
		{"bad provisioner", func(sc *storagev1.StorageClass) { sc.Provisioner = "local path" }, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "provisioner"}}},
		{"empty parameter key", func(sc *storagev1.StorageClass) { sc.Parameters[""] = "x" }, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "parameters"}}},
		{"bad reclaim policy", func(sc *storagev1.StorageClass) { sc.ReclaimPolicy = ptr(v1.PersistentVolumeReclaimRecycle) },
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "reclaimPolicy"}}},
		{"bad binding mode", func(sc *storagev1.StorageClass) { sc.VolumeBindingMode = ptr(storagev1.VolumeBindingMode("Later")) },
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "volumeBindingMode"}}},
		{"duplicate term", func(sc *storagev1.StorageClass) {
			sc.AllowedTopologies = []v1.TopologySelectorTerm{zone("a"), zone("a")}
		},
			[]registrytest.WantErr{{Type: field.ErrorTypeDuplicate, Field: "allowedTopologies[1].matchLabelExpressions"}}},
		{"no values", func(sc *storagev1.StorageClass) { sc.AllowedTopologies = []v1.TopologySelectorTerm{zone()} },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "allowedTopologies[0].matchLabelExpressions[0].values"}}},
		{"namespaced", func(sc *storagev1.StorageClass) { sc.Namespace = "default" },
			[]registrytest.WantErr{{Type: field.ErrorTypeForbidden, Field: "metadata.namespace"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newClass()
			tt.mutate(sc)
			registrytest.CheckErrors(t, registrytest.Create(storageClassStrategy{}, sc), tt.want...)
		})
	}
}

func TestStorageClassUpdate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*storagev1.StorageClass)
		want   []registrytest.WantErr
	}{
		{"expansion", func(sc *storagev1.StorageClass) { sc.AllowVolumeExpansion = ptr(true) }, nil},
		{"mount options", func(sc *storagev1.StorageClass) { sc.MountOptions = []string{"noatime"} }, nil},
		{"default annotation", func(sc *storagev1.StorageClass) {
			sc.Annotations = map[string]string{"storageclass.kubernetes.io/is-default-class": "true"}
		}, nil},
		{"provisioner", func(sc *storagev1.StorageClass) { sc.Provisioner = "example.com/nfs" }, []registrytest.WantErr{{Type: field.ErrorTypeForbidden, Field: "provisioner"}}},
		{"parameters", func(sc *storagev1.StorageClass) { sc.Parameters["nodePath"] = "/mnt" }, []registrytest.WantErr{{Type: field.ErrorTypeForbidden, Field: "parameters"}}},
		{"reclaim policy", func(sc *storagev1.StorageClass) { sc.ReclaimPolicy = ptr(v1.PersistentVolumeReclaimRetain) },
			[]registrytest.WantErr{{Type: field.ErrorTypeForbidden, Field: "reclaimPolicy"}}},
		{"binding mode", func(sc *storagev1.StorageClass) {
			sc.VolumeBindingMode = ptr(storagev1.VolumeBindingWaitForFirstConsumer)
		},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "volumeBindingMode"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := newClass()
			registrytest.Create(storageClassStrategy{}, old)
			sc := old.DeepCopy()
			tt.mutate(sc)
			registrytest.CheckErrors(t, registrytest.Update(storageClassStrategy{}, sc, old), tt.want...)
		})
	}
}

func TestStorageClassTable(t *testing.T) {
	want := []string{"Provisioner", "ReclaimPolicy", "VolumeBindingMode", "AllowVolumeExpansion", "Age"}
	if got := registrytest.ColumnNames(storageClassStrategy{}); !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v", got)
	}
	sc := newClass()
	registrytest.CheckTable(t, storageClassStrategy{}, sc, []interface{}{"rancher.io/local-path", "Delete", "Immediate", false, ""})
	sc.ReclaimPolicy, sc.VolumeBindingMode, sc.AllowVolumeExpansion = ptr(v1.PersistentVolumeReclaimRetain), ptr(storagev1.VolumeBindingWaitForFirstConsumer), ptr(true)
	registrytest.CheckTable(t, storageClassStrategy{}, sc, []interface{}{"rancher.io/local-path", "Retain", "WaitForFirstConsumer", true, ""})
}
