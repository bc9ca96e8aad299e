package resource

import (
	"reflect"
	"testing"

	v1 "k8s.io/api/core/v1"
	resourcev1 "k8s.io/api/resource/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func newSlice() *resourcev1.ResourceSlice {
	return &resourcev1.ResourceSlice{
		ObjectMeta: metav1.ObjectMeta{Name: "node-1-gpu.example.com-x7k2p", ResourceVersion: "1"},
		Spec: resourcev1.ResourceSliceSpec{
			Driver:   "gpu.example.com",
			Pool:     resourcev1.ResourcePool{Name: "node-1", Generation: 1, ResourceSliceCount: 1},
			NodeName: ptr("node-1"),
			Devices:  []resourcev1.Device{{Name: "gpu-0"}, {Name: "gpu-1"}},
		},
	}
}

func TestResourceSliceValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*resourcev1.ResourceSlice)
		want   []registrytest.WantErr
	}{
		{"valid", func(*resourcev1.ResourceSlice) {}, nil},
		{"all nodes", func(s *resourcev1.ResourceSlice) { s.Spec.NodeName, s.Spec.AllNodes = nil, ptr(true) }, nil},
		{"node selector", func(s *resourcev1.ResourceSlice) {
			s.Spec.NodeName = nil
			s.Spec.NodeSelector = &v1.NodeSelector{NodeSelectorTerms: []v1.NodeSelectorTerm{{}}}
		}, nil},
		{"pool path", func(s *resourcev1.ResourceSlice) { s.Spec.Pool.Name = "rack-1/node-1" }, nil},
		{"counters only", func(s *resourcev1.ResourceSlice) {
			s.Spec.Devices = nil
			s.Spec.SharedCounters = []resourcev1.CounterSet{{Name: "gpu-0-memory"}}
		}, nil},
		{"counters and devices", func(s *resourcev1.ResourceSlice) {
			s.Spec.SharedCounters = []resourcev1.CounterSet{{Name: "gpu-0-memory"}}
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec"}}},
		{"two selector terms", func(s *resourcev1.ResourceSlice) {
			s.Spec.NodeName = nil
			s.Spec.NodeSelector = &v1.NodeSelector{NodeSelectorTerms: []v1.NodeSelectorTerm{{}, {}}}
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.nodeSelector.nodeSelectorTerms"}}},
		{"no driver", func(s *resourcev1.ResourceSlice) { s.Spec.Driver = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.driver"}}},
		{"no pool", func(s *resourcev1.ResourceSlice) { s.Spec.Pool.Name = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.pool.name"}}},
		{"bad pool", func(s *resourcev1.ResourceSlice) { s.Spec.Pool.Name = "Node_1" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.pool.name"}}},
		{"no slice count", func(s *resourcev1.ResourceSlice) { s.Spec.Pool.ResourceSliceCount = 0 },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.pool.resourceSliceCount"}}},
		{"negative generation", func(s *resourcev1.ResourceSlice) { s.Spec.Pool.Generation = -1 },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.pool.generation"}}},
		{"no node selection", func(s *resourcev1.ResourceSlice) { s.Spec.NodeName = nil },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec"}}},
		{"two node selections", func(s *resourcev1.ResourceSlice) { s.Spec.AllNodes = ptr(true) },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec"}}},
		{"allNodes false", func(s *resourcev1.ResourceSlice) { s.Spec.NodeName, s.Spec.AllNodes = nil, ptr(false) },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.allNodes"}}},
		{"duplicate device", func(s *resourcev1.ResourceSlice) { s.Spec.Devices[1].Name = "gpu-0" },
			[]registrytest.WantErr{{Type: field.ErrorTypeDuplicate, Field: "spec.devices[1].name"}}},
		{"bad device name", func(s *resourcev1.ResourceSlice) { s.Spec.Devices[0].Name = "gpu.0" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.devices[0].name"}}},
		{"too many devices", func(s *resourcev1.ResourceSlice) {
			s.Spec.Devices = nil
			for i := 0; i <= resourcev1.ResourceSliceMaxDevices; i++ {
				s.Spec.Devices = append(s.Spec.Devices, resourcev1.Device{Name: "gpu-" + string(rune('a'+i%26)) + string(rune('a'+i/26))})
			}
		}, []registrytest.WantErr{{Type: field.ErrorTypeTooMany, Field: "spec.devices"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSlice()
			tt.mutate(s)
			registrytest.CheckErrors(t, registrytest.Create(resourceSliceStrategy{}, s), tt.want...)
		})
	}
}

func TestResourceSliceUpdate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*resourcev1.ResourceSlice)
		want   []registrytest.WantErr
	}{
		{"devices and generation", func(s *resourcev1.ResourceSlice) {
			s.Spec.Devices = s.Spec.Devices[:1]
			s.Spec.Pool.Generation = 2
		}, nil},
		{"driver", func(s *resourcev1.ResourceSlice) { s.Spec.Driver = "nic.example.com" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.driver"}}},
		{"pool", func(s *resourcev1.ResourceSlice) { s.Spec.Pool.Name = "node-2" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.pool.name"}}},
		{"node", func(s *resourcev1.ResourceSlice) { s.Spec.NodeName = ptr("node-2") },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.nodeName"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := newSlice()
			registrytest.Create(resourceSliceStrategy{}, old)
			s := old.DeepCopy()
			tt.mutate(s)
			registrytest.CheckErrors(t, registrytest.Update(resourceSliceStrategy{}, s, old), tt.want...)
		})
	}
}

func TestResourceSliceFieldsAndTable(t *testing.T) {
	s := newSlice()
	got := resourceSliceStrategy{}.SelectableFields(s)
	if !fields.ParseSelectorOrDie("spec.nodeName=node-1,spec.driver=gpu.example.com").Matches(got) {
		t.Errorf("fields = %v", got)
	}
	if got, want := registrytest.ColumnNames(resourceSliceStrategy{}), []string{"Node", "Driver", "Pool", "Age"}; !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v", got)
	}
	registrytest.CheckTable(t, resourceSliceStrategy{}, s, []interface{}{"node-1", "gpu.example.com", "node-1", ""})
	s.Spec.NodeName, s.Spec.AllNodes = nil, ptr(true)
	registrytest.CheckTable(t, resourceSliceStrategy{}, s, []interface{}{"", "gpu.example.com", "node-1", ""})
	if got := (resourceSliceStrategy{}).SelectableFields(s); got["spec.nodeName"] != "" {
		t.Errorf("network-attached slice nodeName field = %q", got["spec.nodeName"])
	}
}
