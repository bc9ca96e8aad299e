package resource

import (
	"testing"

	resourcev1 "k8s.io/api/resource/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func newTemplate() *resourcev1.ResourceClaimTemplate {
	return &resourcev1.ResourceClaimTemplate{ObjectMeta: meta("gpu"), Spec: resourcev1.ResourceClaimTemplateSpec{Spec: gpuSpec()}}
}

func TestResourceClaimTemplateValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*resourcev1.ResourceClaimTemplate)
		want   []registrytest.WantErr
	}{
		{"valid", func(*resourcev1.ResourceClaimTemplate) {}, nil},
		{"claim labels", func(tm *resourcev1.ResourceClaimTemplate) { tm.Spec.Labels = map[string]string{"app": "a"} }, nil},
		{"bad claim label", func(tm *resourcev1.ResourceClaimTemplate) { tm.Spec.Labels = map[string]string{"bad key!": "a"} },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.metadata.labels"}}},
		{"no class", func(tm *resourcev1.ResourceClaimTemplate) {
			tm.Spec.Spec.Devices.Requests[0].Exactly.DeviceClassName = ""
		},
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.spec.devices.requests[0].exactly.deviceClassName"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := newTemplate()
			tt.mutate(tm)
			registrytest.CheckErrors(t, registrytest.Create(resourceClaimTemplateStrategy{}, tm), tt.want...)
		})
	}
	defaulted := newTemplate()
	registrytest.Create(resourceClaimTemplateStrategy{}, defaulted)
	if e := defaulted.Spec.Spec.Devices.Requests[0].Exactly; e.Count != 1 || e.AllocationMode != resourcev1.DeviceAllocationModeExactCount {
		t.Errorf("defaults: %+v", e)
	}
}

func TestResourceClaimTemplateSpecImmutable(t *testing.T) {
	old := newTemplate()
	registrytest.Create(resourceClaimTemplateStrategy{}, old)
	labelled := old.DeepCopy()
	labelled.Labels = map[string]string{"a": "b"}
	registrytest.CheckErrors(t, registrytest.Update(resourceClaimTemplateStrategy{}, labelled, old))
	changed := old.DeepCopy()
	changed.Spec.Labels = map[string]string{"a": "b"}
	registrytest.CheckErrors(t, registrytest.Update(resourceClaimTemplateStrategy{}, changed, old),
		registrytest.WantErr{Type: field.ErrorTypeInvalid, Field: "spec"})
}
