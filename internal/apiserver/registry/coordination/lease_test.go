package coordination

import (
	"reflect"
	"testing"

	coordinationv1 "k8s.io/api/coordination/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func ptr[T any](v T) *T { return &v }

func TestLeaseValidate(t *testing.T) {
	tests := []struct {
		name string
		spec coordinationv1.LeaseSpec
		want []registrytest.WantErr
	}{
		{"empty", coordinationv1.LeaseSpec{}, nil},
		{"held", coordinationv1.LeaseSpec{HolderIdentity: ptr("node-1"), LeaseDurationSeconds: ptr[int32](40), LeaseTransitions: ptr[int32](0)}, nil},
		{"coordinated", coordinationv1.LeaseSpec{Strategy: ptr(coordinationv1.OldestEmulationVersion), PreferredHolder: ptr("a")}, nil},
		{"zero duration", coordinationv1.LeaseSpec{LeaseDurationSeconds: ptr[int32](0)},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.leaseDurationSeconds"}}},
		{"negative transitions", coordinationv1.LeaseSpec{LeaseTransitions: ptr[int32](-1)},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.leaseTransitions"}}},
		{"bad strategy", coordinationv1.LeaseSpec{Strategy: ptr(coordinationv1.CoordinatedLeaseStrategy("Newest"))},
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "spec.strategy"}}},
		{"preferred without strategy", coordinationv1.LeaseSpec{PreferredHolder: ptr("a")},
			[]registrytest.WantErr{{Type: field.ErrorTypeForbidden, Field: "spec.preferredHolder"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &coordinationv1.Lease{ObjectMeta: meta("kube-scheduler"), Spec: tt.spec}
			registrytest.CheckErrors(t, registrytest.Create(leaseStrategy{}, l), tt.want...)
			old := l.DeepCopy()
			registrytest.CheckErrors(t, registrytest.Update(leaseStrategy{}, l, old), tt.want...)
		})
	}
}

func TestLeaseTable(t *testing.T) {
	if got := registrytest.ColumnNames(leaseStrategy{}); !reflect.DeepEqual(got, []string{"Holder", "Age"}) {
		t.Errorf("columns = %v", got)
	}
	l := &coordinationv1.Lease{ObjectMeta: meta("node-1")}
	registrytest.CheckTable(t, leaseStrategy{}, l, []interface{}{"", ""})
	l.Spec.HolderIdentity = ptr("node-1_abc")
	registrytest.CheckTable(t, leaseStrategy{}, l, []interface{}{"node-1_abc", ""})
}

func TestResources(t *testing.T) {
	rs := Resources()
	if len(rs) != 1 || rs[0].GroupVersion.String() != "coordination.k8s.io/v1" || rs[0].Plural != "leases" || !rs[0].Namespaced {
		t.Errorf("%+v", rs)
	}
}
