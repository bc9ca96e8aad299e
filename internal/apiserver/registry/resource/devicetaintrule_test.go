package resource

import (
	"context"
	"testing"
	"time"

	resourcev1 "k8s.io/api/resource/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func newTaintRule() *resourcev1.DeviceTaintRule {
	return &resourcev1.DeviceTaintRule{
		ObjectMeta: metav1.ObjectMeta{Name: "broken-gpu", ResourceVersion: "1"},
		Spec: resourcev1.DeviceTaintRuleSpec{
			DeviceSelector: &resourcev1.DeviceTaintSelector{Driver: ptr("gpu.example.com"), Pool: ptr("node-1"), Device: ptr("gpu-0")},
			Taint:          resourcev1.DeviceTaint{Key: "example.com/broken", Value: "fan", Effect: resourcev1.DeviceTaintEffectNoSchedule},
		},
	}
}

func TestDeviceTaintRuleValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*resourcev1.DeviceTaintRule)
		want   []registrytest.WantErr
	}{
		{"valid", func(*resourcev1.DeviceTaintRule) {}, nil},
		{"no selector", func(r *resourcev1.DeviceTaintRule) { r.Spec.DeviceSelector = nil }, nil},
		{"effect None", func(r *resourcev1.DeviceTaintRule) { r.Spec.Taint.Effect = resourcev1.DeviceTaintEffectNone }, nil},
		{"no key", func(r *resourcev1.DeviceTaintRule) { r.Spec.Taint.Key = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.taint.key"}}},
		{"bad value", func(r *resourcev1.DeviceTaintRule) { r.Spec.Taint.Value = "fan broken" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.taint.value"}}},
		{"no effect", func(r *resourcev1.DeviceTaintRule) { r.Spec.Taint.Effect = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.taint.effect"}}},
		{"node effect", func(r *resourcev1.DeviceTaintRule) { r.Spec.Taint.Effect = "PreferNoSchedule" },
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "spec.taint.effect"}}},
		{"bad driver", func(r *resourcev1.DeviceTaintRule) { r.Spec.DeviceSelector.Driver = ptr("gpu example") },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.deviceSelector.driver"}}},
		{"bad pool", func(r *resourcev1.DeviceTaintRule) { r.Spec.DeviceSelector.Pool = ptr("Node_1") },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.deviceSelector.pool"}}},
		{"bad device", func(r *resourcev1.DeviceTaintRule) { r.Spec.DeviceSelector.Device = ptr("") },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.deviceSelector.device"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTaintRule()
			tt.mutate(r)
			registrytest.CheckErrors(t, registrytest.Create(deviceTaintRuleStrategy{}, r), tt.want...)
		})
	}
}

func TestDeviceTaintRuleTimeAdded(t *testing.T) {
	r := newTaintRule()
	registrytest.Create(deviceTaintRuleStrategy{}, r)
	if r.Spec.Taint.TimeAdded == nil {
		t.Fatal("create did not stamp timeAdded")
	}
	past := metav1.NewTime(time.Now().Add(-time.Hour).Truncate(time.Second))
	r.Spec.Taint.TimeAdded = &past

	sameEffect := r.DeepCopy()
	sameEffect.Spec.Taint.Value = "fan2"
	registrytest.CheckErrors(t, registrytest.Update(deviceTaintRuleStrategy{}, sameEffect, r))
	if !sameEffect.Spec.Taint.TimeAdded.Equal(&past) {
		t.Error("value change restamped timeAdded")
	}

	newEffect := r.DeepCopy()
	newEffect.Spec.Taint.Effect = resourcev1.DeviceTaintEffectNoExecute
	registrytest.CheckErrors(t, registrytest.Update(deviceTaintRuleStrategy{}, newEffect, r))
	if !newEffect.Spec.Taint.TimeAdded.After(past.Time) {
		t.Error("effect change kept the old timeAdded")
	}
}

func TestDeviceTaintRuleStatus(t *testing.T) {
	ctx := context.Background()
	old := newTaintRule()
	registrytest.Create(deviceTaintRuleStrategy{}, old)
	r := old.DeepCopy()
	r.Status.Conditions = []metav1.Condition{{
		Type: resourcev1.DeviceTaintConditionEvictionInProgress, Status: metav1.ConditionTrue, Reason: "PodsPendingEviction",
		LastTransitionTime: metav1.Now(), ObservedGeneration: 1,
	}}
	deviceTaintRuleStrategy{}.PrepareForStatusUpdate(ctx, r, old)
	registrytest.CheckErrors(t, deviceTaintRuleStrategy{}.ValidateStatusUpdate(ctx, r, old))
	r.Status.Conditions[0].Reason = ""
	registrytest.CheckErrors(t, deviceTaintRuleStrategy{}.ValidateStatusUpdate(ctx, r, old),
		registrytest.WantErr{Type: field.ErrorTypeRequired, Field: "status.conditions[0].reason"})
}
