package storagegroup

import (
	"reflect"
	"testing"

	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func newCSINode() *storagev1.CSINode {
	return &storagev1.CSINode{
		ObjectMeta: metav1.ObjectMeta{Name: "node-1", ResourceVersion: "1"},
		Spec: storagev1.CSINodeSpec{Drivers: []storagev1.CSINodeDriver{{
			Name: "disk.example.com", NodeID: "i-123", TopologyKeys: []string{"topology.kubernetes.io/zone"},
			Allocatable: &storagev1.VolumeNodeResources{Count: ptr(int32(16))},
		}}},
	}
}

func TestCSINodeValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*storagev1.CSINode)
		want   []registrytest.WantErr
	}{
		{"valid", func(*storagev1.CSINode) {}, nil},
		{"no drivers", func(n *storagev1.CSINode) { n.Spec.Drivers = nil }, nil},
		{"no driver name", func(n *storagev1.CSINode) { n.Spec.Drivers[0].Name = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.drivers[0].name"}}},
		{"bad driver name", func(n *storagev1.CSINode) { n.Spec.Drivers[0].Name = "disk example" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.drivers[0].name"}}},
		{"no node ID", func(n *storagev1.CSINode) { n.Spec.Drivers[0].NodeID = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.drivers[0].nodeID"}}},
		{"duplicate driver", func(n *storagev1.CSINode) {
			d := n.Spec.Drivers[0]
			d.NodeID = "other"
			n.Spec.Drivers = append(n.Spec.Drivers, d)
		}, []registrytest.WantErr{{Type: field.ErrorTypeDuplicate, Field: "spec.drivers[1].name"}}},
		{"duplicate topology key", func(n *storagev1.CSINode) {
			n.Spec.Drivers[0].TopologyKeys = []string{"zone", "zone"}
		}, []registrytest.WantErr{{Type: field.ErrorTypeDuplicate, Field: "spec.drivers[0].topologyKeys[1]"}}},
		{"negative count", func(n *storagev1.CSINode) { n.Spec.Drivers[0].Allocatable.Count = ptr(int32(-1)) },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.drivers[0].allocatable.count"}}},
		{"bad name", func(n *storagev1.CSINode) { n.Name = "Node_1" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "metadata.name"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := newCSINode()
			tt.mutate(n)
			registrytest.CheckErrors(t, registrytest.Create(csiNodeStrategy{}, n), tt.want...)
		})
	}
}

func TestCSINodeUpdate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*storagev1.CSINode)
		want   []registrytest.WantErr
	}{
		{"count changes", func(n *storagev1.CSINode) { n.Spec.Drivers[0].Allocatable.Count = ptr(int32(8)) }, nil},
		{"driver added", func(n *storagev1.CSINode) {
			n.Spec.Drivers = append(n.Spec.Drivers, storagev1.CSINodeDriver{Name: "nfs.example.com", NodeID: "n1"})
		}, nil},
		{"driver removed", func(n *storagev1.CSINode) { n.Spec.Drivers = nil }, nil},
		{"node ID", func(n *storagev1.CSINode) { n.Spec.Drivers[0].NodeID = "i-456" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.drivers[0].nodeID"}}},
		{"topology keys", func(n *storagev1.CSINode) { n.Spec.Drivers[0].TopologyKeys = nil },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.drivers[0].topologyKeys"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := newCSINode()
			registrytest.Create(csiNodeStrategy{}, old)
			n := old.DeepCopy()
			tt.mutate(n)
			registrytest.CheckErrors(t, registrytest.Update(csiNodeStrategy{}, n, old), tt.want...)
		})
	}
}

func TestCSINodeTable(t *testing.T) {
	if got, want := registrytest.ColumnNames(csiNodeStrategy{}), []string{"Drivers", "Age"}; !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v", got)
	}
	registrytest.CheckTable(t, csiNodeStrategy{}, newCSINode(), []interface{}{int64(1), ""})
}
