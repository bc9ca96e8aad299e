package resource

import (
	"context"
	"reflect"
	"testing"

	resourcev1 "k8s.io/api/resource/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func newClaim() *resourcev1.ResourceClaim {
	return &resourcev1.ResourceClaim{ObjectMeta: meta("claim"), Spec: gpuSpec()}
}

func TestResourceClaimDefaults(t *testing.T) {
	c := newClaim()
	c.Spec.Devices.Requests[0].Exactly.Tolerations = []resourcev1.DeviceToleration{{Key: "k", Value: "v"}}
	if errs := registrytest.Create(resourceClaimStrategy{}, c); len(errs) != 0 {
		t.Fatal(errs)
	}
	e := c.Spec.Devices.Requests[0].Exactly
	if e.AllocationMode != resourcev1.DeviceAllocationModeExactCount || e.Count != 1 || e.Tolerations[0].Operator != resourcev1.DeviceTolerationOpEqual {
		t.Errorf("defaults: %+v", e)
	}
}

func TestResourceClaimValidate(t *testing.T) {
	sub := func(name string) resourcev1.DeviceSubRequest {
		return resourcev1.DeviceSubRequest{Name: name, DeviceClassName: "gpu.example.com"}
	}
	tests := []struct {
		name   string
		mutate func(*resourcev1.ResourceClaim)
		want   []registrytest.WantErr
	}{
		{"valid", func(*resourcev1.ResourceClaim) {}, nil},
		{"first available", func(c *resourcev1.ResourceClaim) {
			c.Spec.Devices.Requests[0] = resourcev1.DeviceRequest{Name: "gpu", FirstAvailable: []resourcev1.DeviceSubRequest{sub("big"), sub("small")}}
			c.Spec.Devices.Constraints = []resourcev1.DeviceConstraint{{Requests: []string{"gpu/big"}}}
		}, nil},
		{"all devices", func(c *resourcev1.ResourceClaim) {
			c.Spec.Devices.Requests[0].Exactly.AllocationMode = resourcev1.DeviceAllocationModeAll
		}, nil},
		{"selectors and config", func(c *resourcev1.ResourceClaim) {
			c.Spec.Devices.Requests[0].Exactly.Selectors = []resourcev1.DeviceSelector{{CEL: &resourcev1.CELDeviceSelector{Expression: "true"}}}
			c.Spec.Devices.Config = []resourcev1.DeviceClaimConfiguration{{Requests: []string{"gpu"}, DeviceConfiguration: opaque("gpu.example.com")}}
		}, nil},
		{"no request name", func(c *resourcev1.ResourceClaim) { c.Spec.Devices.Requests[0].Name = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.devices.requests[0].name"}}},
		{"duplicate request", func(c *resourcev1.ResourceClaim) {
			c.Spec.Devices.Requests = append(c.Spec.Devices.Requests, *c.Spec.Devices.Requests[0].DeepCopy())
		}, []registrytest.WantErr{{Type: field.ErrorTypeDuplicate, Field: "spec.devices.requests[1].name"}}},
		{"neither exactly nor first available", func(c *resourcev1.ResourceClaim) { c.Spec.Devices.Requests[0].Exactly = nil },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.devices.requests[0]"}}},
		{"both", func(c *resourcev1.ResourceClaim) {
			c.Spec.Devices.Requests[0].FirstAvailable = []resourcev1.DeviceSubRequest{sub("a")}
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.devices.requests[0]"}}},
		{"no class", func(c *resourcev1.ResourceClaim) { c.Spec.Devices.Requests[0].Exactly.DeviceClassName = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.devices.requests[0].exactly.deviceClassName"}}},
		{"subrequest without class", func(c *resourcev1.ResourceClaim) {
			c.Spec.Devices.Requests[0] = resourcev1.DeviceRequest{Name: "gpu", FirstAvailable: []resourcev1.DeviceSubRequest{{Name: "a"}}}
		}, []registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.devices.requests[0].firstAvailable[0].deviceClassName"}}},
		{"bad mode", func(c *resourcev1.ResourceClaim) { c.Spec.Devices.Requests[0].Exactly.AllocationMode = "Some" },
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "spec.devices.requests[0].exactly.allocationMode"}}},
		{"count with All", func(c *resourcev1.ResourceClaim) {
			c.Spec.Devices.Requests[0].Exactly.AllocationMode = resourcev1.DeviceAllocationModeAll
			c.Spec.Devices.Requests[0].Exactly.Count = 2
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.devices.requests[0].exactly.count"}}},
		{"empty selector", func(c *resourcev1.ResourceClaim) {
			c.Spec.Devices.Requests[0].Exactly.Selectors = []resourcev1.DeviceSelector{{}}
		}, []registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.devices.requests[0].exactly.selectors[0].cel"}}},
		{"constraint on unknown request", func(c *resourcev1.ResourceClaim) {
			c.Spec.Devices.Constraints = []resourcev1.DeviceConstraint{{Requests: []string{"nic"}}}
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.devices.constraints[0].requests[0]"}}},
		{"config without driver", func(c *resourcev1.ResourceClaim) {
			c.Spec.Devices.Config = []resourcev1.DeviceClaimConfiguration{{DeviceConfiguration: opaque("")}}
		}, []registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.devices.config[0].opaque.driver"}}},
		{"no namespace", func(c *resourcev1.ResourceClaim) { c.Namespace = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "metadata.namespace"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClaim()
			tt.mutate(c)
			registrytest.CheckErrors(t, registrytest.Create(resourceClaimStrategy{}, c), tt.want...)
		})
	}
}

func TestResourceClaimSpecImmutable(t *testing.T) {
	old := newClaim()
	registrytest.Create(resourceClaimStrategy{}, old)
	labelled := old.DeepCopy()
	labelled.Labels = map[string]string{"a": "b"}
	registrytest.CheckErrors(t, registrytest.Update(resourceClaimStrategy{}, labelled, old))
	changed := old.DeepCopy()
	changed.Spec.Devices.Requests[0].Exactly.Count = 2
	registrytest.CheckErrors(t, registrytest.Update(resourceClaimStrategy{}, changed, old),
		registrytest.WantErr{Type: field.ErrorTypeInvalid, Field: "spec"})
}

func TestResourceClaimStatus(t *testing.T) {
	allocation := func(device string) *resourcev1.AllocationResult {
		return &resourcev1.AllocationResult{Devices: resourcev1.DeviceAllocationResult{Results: []resourcev1.DeviceRequestAllocationResult{
			{Request: "gpu", Driver: "gpu.example.com", Pool: "node-1", Device: device},
		}}}
	}
	pod := func(uid string) resourcev1.ResourceClaimConsumerReference {
		return resourcev1.ResourceClaimConsumerReference{Resource: "pods", Name: "p", UID: typesUID(uid)}
	}
	tests := []struct {
		name     string
		deleting bool
		old, new resourcev1.ResourceClaimStatus
		want     []registrytest.WantErr
	}{
		{"allocate and reserve", false, resourcev1.ResourceClaimStatus{},
			resourcev1.ResourceClaimStatus{Allocation: allocation("gpu-0"), ReservedFor: []resourcev1.ResourceClaimConsumerReference{pod("1")}}, nil},
		{"deallocate", false, resourcev1.ResourceClaimStatus{Allocation: allocation("gpu-0")}, resourcev1.ResourceClaimStatus{}, nil},
		{"reallocate", false, resourcev1.ResourceClaimStatus{Allocation: allocation("gpu-0")},
			resourcev1.ResourceClaimStatus{Allocation: allocation("gpu-1")},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "status.allocation"}}},
		{"deallocate while reserved", false, resourcev1.ResourceClaimStatus{Allocation: allocation("gpu-0"), ReservedFor: []resourcev1.ResourceClaimConsumerReference{pod("1")}},
			resourcev1.ResourceClaimStatus{ReservedFor: []resourcev1.ResourceClaimConsumerReference{pod("1")}},
			[]registrytest.WantErr{{Type: field.ErrorTypeForbidden, Field: "status.reservedFor"}}},
		{"reserve unallocated", false, resourcev1.ResourceClaimStatus{},
			resourcev1.ResourceClaimStatus{ReservedFor: []resourcev1.ResourceClaimConsumerReference{pod("1")}},
			[]registrytest.WantErr{{Type: field.ErrorTypeForbidden, Field: "status.reservedFor"}}},
		{"reserve twice", false, resourcev1.ResourceClaimStatus{Allocation: allocation("gpu-0")},
			resourcev1.ResourceClaimStatus{Allocation: allocation("gpu-0"), ReservedFor: []resourcev1.ResourceClaimConsumerReference{pod("1"), pod("1")}},
			[]registrytest.WantErr{{Type: field.ErrorTypeDuplicate, Field: "status.reservedFor[1].uid"}}},
		{"allocation without device", false, resourcev1.ResourceClaimStatus{},
			resourcev1.ResourceClaimStatus{Allocation: allocation("")},
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "status.allocation.devices.results[0].device"}}},
		{"unreserve while deleting", true, resourcev1.ResourceClaimStatus{Allocation: allocation("gpu-0"), ReservedFor: []resourcev1.ResourceClaimConsumerReference{pod("1")}},
			resourcev1.ResourceClaimStatus{Allocation: allocation("gpu-0")}, nil},
		{"reserve while deleting", true, resourcev1.ResourceClaimStatus{Allocation: allocation("gpu-0")},
			resourcev1.ResourceClaimStatus{Allocation: allocation("gpu-0"), ReservedFor: []resourcev1.ResourceClaimConsumerReference{pod("2")}},
			[]registrytest.WantErr{{Type: field.ErrorTypeForbidden, Field: "status.reservedFor"}}},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := newClaim()
			if tt.deleting {
				now := metav1.Now()
				old.DeletionTimestamp = &now
			}
			old.Status = tt.old
			c := old.DeepCopy()
			c.Status = tt.new
			resourceClaimStrategy{}.PrepareForStatusUpdate(ctx, c, old)
			registrytest.CheckErrors(t, resourceClaimStrategy{}.ValidateStatusUpdate(ctx, c, old), tt.want...)
		})
	}
}

func TestResourceClaimTable(t *testing.T) {
	if got, want := registrytest.ColumnNames(resourceClaimStrategy{}), []string{"State", "Age"}; !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v", got)
	}
	c := newClaim()
	registrytest.CheckTable(t, resourceClaimStrategy{}, c, []interface{}{"pending", ""})
	c.Status.Allocation = &resourcev1.AllocationResult{}
	registrytest.CheckTable(t, resourceClaimStrategy{}, c, []interface{}{"allocated", ""})
	c.Status.ReservedFor = []resourcev1.ResourceClaimConsumerReference{{Resource: "pods", Name: "p", UID: "1"}}
	registrytest.CheckTable(t, resourceClaimStrategy{}, c, []interface{}{"allocated,reserved", ""})
	now := metav1.Now()
	c.DeletionTimestamp = &now
	registrytest.CheckTable(t, resourceClaimStrategy{}, c, []interface{}{"deleted,allocated,reserved", ""})
	c.Status = resourcev1.ResourceClaimStatus{}
	registrytest.CheckTable(t, resourceClaimStrategy{}, c, []interface{}{"deleted", ""})
}
