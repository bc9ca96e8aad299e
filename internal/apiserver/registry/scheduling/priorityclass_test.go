package scheduling

import (
	"reflect"
	"testing"

	v1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func newClass(name string, value int32) *schedulingv1.PriorityClass {
	return &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: name, ResourceVersion: "1"}, Value: value}
}

func TestPriorityClassDefaults(t *testing.T) {
	pc := newClass("high", 1000)
	if errs := registrytest.Create(priorityClassStrategy{}, pc); len(errs) != 0 {
		t.Fatal(errs)
	}
	if pc.PreemptionPolicy == nil || *pc.PreemptionPolicy != v1.PreemptLowerPriority {
		t.Errorf("preemptionPolicy = %v", pc.PreemptionPolicy)
	}
	never := v1.PreemptNever
	pc = newClass("batch", 10)
	pc.PreemptionPolicy = &never
	registrytest.Create(priorityClassStrategy{}, pc)
	if *pc.PreemptionPolicy != v1.PreemptNever {
		t.Errorf("explicit policy overwritten")
	}
}

func TestPriorityClassValidate(t *testing.T) {
	bad := v1.PreemptionPolicy("Sometimes")
	tests := []struct {
		name string
		pc   *schedulingv1.PriorityClass
		want []registrytest.WantErr
	}{
		{"user class", newClass("high", 1000000), nil},
		{"negative value", newClass("low", -10), nil},
		{"max user value", newClass("top", HighestUserDefinablePriority), nil},
		{"built-in cluster critical", newClass("system-cluster-critical", SystemCriticalPriority), nil},
		{"built-in node critical", newClass("system-node-critical", SystemCriticalPriority+1000), nil},
		{"system prefix", newClass("system-mine", 10), []registrytest.WantErr{{Type: field.ErrorTypeForbidden, Field: "metadata.name"}}},
		{"built-in with wrong value", newClass("system-node-critical", 5), []registrytest.WantErr{{Type: field.ErrorTypeForbidden, Field: "metadata.name"}}},
		{"above user range", newClass("greedy", HighestUserDefinablePriority+1), []registrytest.WantErr{{Type: field.ErrorTypeForbidden, Field: "value"}}},
		{"bad policy", func() *schedulingv1.PriorityClass { pc := newClass("x", 1); pc.PreemptionPolicy = &bad; return pc }(),
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "preemptionPolicy"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			registrytest.CheckErrors(t, registrytest.Create(priorityClassStrategy{}, tt.pc), tt.want...)
		})
	}
	for _, pc := range SystemPriorityClasses() {
		pc.ResourceVersion = "1"
		registrytest.CheckErrors(t, registrytest.Create(priorityClassStrategy{}, pc))
	}
}

func TestPriorityClassUpdate(t *testing.T) {
	old := newClass("high", 1000)
	registrytest.Create(priorityClassStrategy{}, old)
	pc := old.DeepCopy()
	pc.Description = "more"
	pc.GlobalDefault = true
	registrytest.CheckErrors(t, registrytest.Update(priorityClassStrategy{}, pc, old))
	pc.Value = 2000
	registrytest.CheckErrors(t, registrytest.Update(priorityClassStrategy{}, pc, old), registrytest.WantErr{Type: field.ErrorTypeForbidden, Field: "value"})
	pc = old.DeepCopy()
	never := v1.PreemptNever
	pc.PreemptionPolicy = &never
	registrytest.CheckErrors(t, registrytest.Update(priorityClassStrategy{}, pc, old), registrytest.WantErr{Type: field.ErrorTypeInvalid, Field: "preemptionPolicy"})
}

func TestPriorityClassTable(t *testing.T) {
	want := []string{"Value", "Global-Default", "Age", "PreemptionPolicy"}
	if got := registrytest.ColumnNames(priorityClassStrategy{}); !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v", got)
	}
	pc := newClass("high", 1000)
	pc.GlobalDefault = true
	registrytest.Create(priorityClassStrategy{}, pc)
	registrytest.CheckTable(t, priorityClassStrategy{}, pc, []interface{}{int64(1000), true, "", "PreemptLowerPriority"})
}

func TestResources(t *testing.T) {
	rs := Resources()
	if len(rs) != 1 || rs[0].GroupVersion.String() != "scheduling.k8s.io/v1" || rs[0].Plural != "priorityclasses" || rs[0].Namespaced ||
		!reflect.DeepEqual(rs[0].ShortNames, []string{"pc"}) {
		t.Errorf("%+v", rs)
	}
}
