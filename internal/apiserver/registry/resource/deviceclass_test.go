package resource

import (
	"testing"

	resourcev1 "k8s.io/api/resource/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func newDeviceClass() *resourcev1.DeviceClass {
	return &resourcev1.DeviceClass{
		ObjectMeta: metav1.ObjectMeta{Name: "gpu.example.com", ResourceVersion: "1"},
		Spec: resourcev1.DeviceClassSpec{
			Selectors: []resourcev1.DeviceSelector{{CEL: &resourcev1.CELDeviceSelector{Expression: `device.driver == "gpu.example.com"`}}},
		},
	}
}

func TestDeviceClassValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*resourcev1.DeviceClass)
		want   []registrytest.WantErr
	}{
		{"valid", func(*resourcev1.DeviceClass) {}, nil},
		{"empty spec", func(c *resourcev1.DeviceClass) { c.Spec = resourcev1.DeviceClassSpec{} }, nil},
		{"config", func(c *resourcev1.DeviceClass) {
			c.Spec.Config = []resourcev1.DeviceClassConfiguration{{DeviceConfiguration: opaque("gpu.example.com")}}
		}, nil},
		{"extended resource", func(c *resourcev1.DeviceClass) { c.Spec.ExtendedResourceName = ptr("example.com/gpu") }, nil},
		{"bad extended resource", func(c *resourcev1.DeviceClass) { c.Spec.ExtendedResourceName = ptr("example.com/gpu!") },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.extendedResourceName"}}},
		{"empty expression", func(c *resourcev1.DeviceClass) { c.Spec.Selectors[0].CEL.Expression = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.selectors[0].cel.expression"}}},
		{"config without opaque", func(c *resourcev1.DeviceClass) { c.Spec.Config = []resourcev1.DeviceClassConfiguration{{}} },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.config[0].opaque"}}},
		{"config without parameters", func(c *resourcev1.DeviceClass) {
			cfg := opaque("gpu.example.com")
			cfg.Opaque.Parameters.Raw = nil
			c.Spec.Config = []resourcev1.DeviceClassConfiguration{{DeviceConfiguration: cfg}}
		}, []registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.config[0].opaque.parameters"}}},
		{"bad name", func(c *resourcev1.DeviceClass) { c.Name = "GPU_class" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "metadata.name"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newDeviceClass()
			tt.mutate(c)
			registrytest.CheckErrors(t, registrytest.Create(deviceClassStrategy{}, c), tt.want...)
		})
	}
}

func TestDeviceClassUpdate(t *testing.T) {
	old := newDeviceClass()
	registrytest.Create(deviceClassStrategy{}, old)
	c := old.DeepCopy()
	c.Spec.Selectors[0].CEL.Expression = "true"
	registrytest.CheckErrors(t, registrytest.Update(deviceClassStrategy{}, c, old))
	if c.Generation != 2 {
		t.Errorf("generation = %d, want 2", c.Generation)
	}
}
