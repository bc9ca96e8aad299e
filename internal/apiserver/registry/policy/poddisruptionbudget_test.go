package policy

import (
	"context"
	"reflect"
	"testing"

	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func newPDB() *policyv1.PodDisruptionBudget {
	two := intstr.FromInt32(2)
	return &policyv1.PodDisruptionBudget{
		ObjectMeta: meta("web"),
		Spec: policyv1.PodDisruptionBudgetSpec{
			MinAvailable: &two,
			Selector:     &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
		},
	}
}

func TestPDBValidate(t *testing.T) {
	half, over, one := intstr.FromString("50%"), intstr.FromString("120%"), intstr.FromInt32(1)
	tests := []struct {
		name   string
		mutate func(*policyv1.PodDisruptionBudget)
		want   []registrytest.WantErr
	}{
		{"valid", func(*policyv1.PodDisruptionBudget) {}, nil},
		{"max unavailable percent", func(p *policyv1.PodDisruptionBudget) { p.Spec.MinAvailable, p.Spec.MaxUnavailable = nil, &half }, nil},
		{"empty selector", func(p *policyv1.PodDisruptionBudget) { p.Spec.Selector = &metav1.LabelSelector{} }, nil},
		{"always allow", func(p *policyv1.PodDisruptionBudget) {
			a := policyv1.AlwaysAllow
			p.Spec.UnhealthyPodEvictionPolicy = &a
		}, nil},
		{"both set", func(p *policyv1.PodDisruptionBudget) { p.Spec.MaxUnavailable = &one },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec"}}},
		{"over 100%", func(p *policyv1.PodDisruptionBudget) { p.Spec.MinAvailable = &over },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.minAvailable"}}},
		{"negative", func(p *policyv1.PodDisruptionBudget) { n := intstr.FromInt32(-1); p.Spec.MinAvailable = &n },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.minAvailable"}}},
		{"bad selector", func(p *policyv1.PodDisruptionBudget) {
			p.Spec.Selector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: "In"}}}
		}, []registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.selector.matchExpressions[0].values"}}},
		{"bad eviction policy", func(p *policyv1.PodDisruptionBudget) {
			x := policyv1.UnhealthyPodEvictionPolicyType("Never")
			p.Spec.UnhealthyPodEvictionPolicy = &x
		}, []registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "spec.unhealthyPodEvictionPolicy"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPDB()
			tt.mutate(p)
			registrytest.CheckErrors(t, registrytest.Create(pdbStrategy{}, p), tt.want...)
		})
	}
}

func TestPDBUpdateAndStatus(t *testing.T) {
	old := newPDB()
	registrytest.Create(pdbStrategy{}, old)
	p := old.DeepCopy()
	three := intstr.FromInt32(3)
	p.Spec.MinAvailable = &three
	p.Status.DisruptionsAllowed = 5 // dropped by the spec/status split
	registrytest.CheckErrors(t, registrytest.Update(pdbStrategy{}, p, old))
	if p.Generation != 2 || p.Status.DisruptionsAllowed != 0 {
		t.Errorf("generation %d, status %+v", p.Generation, p.Status)
	}

	ctx := context.Background()
	var ss registry.StatusStrategy = pdbStrategy{}
	s := old.DeepCopy()
	s.Status = policyv1.PodDisruptionBudgetStatus{DisruptionsAllowed: 1, CurrentHealthy: 3, DesiredHealthy: 2, ExpectedPods: 3}
	ss.PrepareForStatusUpdate(ctx, s, old)
	registrytest.CheckErrors(t, ss.ValidateStatusUpdate(ctx, s, old))
	s.Status.ExpectedPods = -1
	registrytest.CheckErrors(t, ss.ValidateStatusUpdate(ctx, s, old), registrytest.WantErr{Type: field.ErrorTypeInvalid, Field: "status.expectedPods"})
}

func TestPDBTable(t *testing.T) {
	want := []string{"Min Available", "Max Unavailable", "Allowed Disruptions", "Age"}
	if got := registrytest.ColumnNames(pdbStrategy{}); !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v", got)
	}
	p := newPDB()
	p.Status.DisruptionsAllowed = 1
	registrytest.CheckTable(t, pdbStrategy{}, p, []interface{}{"2", "N/A", int64(1), ""})
	half := intstr.FromString("50%")
	p.Spec.MinAvailable, p.Spec.MaxUnavailable = nil, &half
	registrytest.CheckTable(t, pdbStrategy{}, p, []interface{}{"N/A", "50%", int64(1), ""})
}

func TestResources(t *testing.T) {
	rs := Resources()
	if len(rs) != 1 || rs[0].GroupVersion.String() != "policy/v1" || rs[0].Plural != "poddisruptionbudgets" || !rs[0].Namespaced ||
		!reflect.DeepEqual(rs[0].ShortNames, []string{"pdb"}) || !rs[0].HasSubresource("status") {
		t.Errorf("%+v", rs)
	}
}
