package storagegroup

import (
	"reflect"
	"testing"

	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func newCapacity() *storagev1.CSIStorageCapacity {
	return &storagev1.CSIStorageCapacity{
		ObjectMeta:       meta("csisc-1"),
		NodeTopology:     &metav1.LabelSelector{MatchLabels: map[string]string{"topology.kubernetes.io/zone": "a"}},
		StorageClassName: "standard",
		Capacity:         ptr(resource.MustParse("10Gi")),
	}
}

func TestCSIStorageCapacityValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*storagev1.CSIStorageCapacity)
		want   []registrytest.WantErr
	}{
		{"valid", func(*storagev1.CSIStorageCapacity) {}, nil},
		{"no capacity", func(c *storagev1.CSIStorageCapacity) { c.Capacity = nil }, nil},
		{"no class", func(c *storagev1.CSIStorageCapacity) { c.StorageClassName = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "storageClassName"}}},
		{"bad class", func(c *storagev1.CSIStorageCapacity) { c.StorageClassName = "Fast_SSD" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "storageClassName"}}},
		{"negative capacity", func(c *storagev1.CSIStorageCapacity) { c.Capacity = ptr(resource.MustParse("-1Gi")) },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "capacity"}}},
		{"bad selector", func(c *storagev1.CSIStorageCapacity) {
			c.NodeTopology = &metav1.LabelSelector{MatchLabels: map[string]string{"bad key!": "a"}}
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "nodeTopology.matchLabels"}}},
		{"cluster-scoped", func(c *storagev1.CSIStorageCapacity) { c.Namespace = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "metadata.namespace"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCapacity()
			tt.mutate(c)
			registrytest.CheckErrors(t, registrytest.Create(csiStorageCapacityStrategy{}, c), tt.want...)
		})
	}
}

func TestCSIStorageCapacityUpdate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*storagev1.CSIStorageCapacity)
		want   []registrytest.WantErr
	}{
		{"capacity", func(c *storagev1.CSIStorageCapacity) { c.Capacity = ptr(resource.MustParse("5Gi")) }, nil},
		{"max size", func(c *storagev1.CSIStorageCapacity) { c.MaximumVolumeSize = ptr(resource.MustParse("1Gi")) }, nil},
		{"class", func(c *storagev1.CSIStorageCapacity) { c.StorageClassName = "fast" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "storageClassName"}}},
		{"topology", func(c *storagev1.CSIStorageCapacity) { c.NodeTopology = nil },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "nodeTopology"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := newCapacity()
			registrytest.Create(csiStorageCapacityStrategy{}, old)
			c := old.DeepCopy()
			tt.mutate(c)
			registrytest.CheckErrors(t, registrytest.Update(csiStorageCapacityStrategy{}, c, old), tt.want...)
		})
	}
}

func TestCSIStorageCapacityTable(t *testing.T) {
	if got, want := registrytest.ColumnNames(csiStorageCapacityStrategy{}), []string{"StorageClassName", "Capacity", "Age"}; !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v", got)
	}
	c := newCapacity()
	registrytest.CheckTable(t, csiStorageCapacityStrategy{}, c, []interface{}{"standard", "10Gi", ""})
	c.Capacity = nil
	registrytest.CheckTable(t, csiStorageCapacityStrategy{}, c, []interface{}{"standard", "<unset>", ""})
}
