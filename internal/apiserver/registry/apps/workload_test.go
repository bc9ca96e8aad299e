package apps

import (
	"testing"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestValidatePositiveIntOrPercent(t *testing.T) {
	tests := []struct {
		in      intstr.IntOrString
		valid   bool
		over100 bool
	}{
		{intstr.FromInt32(0), true, false},
		{intstr.FromInt32(3), true, false},
		{intstr.FromInt32(-1), false, false},
		{intstr.FromString("25%"), true, false},
		{intstr.FromString("100%"), true, false},
		{intstr.FromString("101%"), true, true},
		{intstr.FromString("25"), false, false},
		{intstr.FromString("-5%"), false, false},
	}
	for _, tt := range tests {
		p := field.NewPath("x")
		if got := len(ValidatePositiveIntOrPercent(tt.in, p)) == 0; got != tt.valid {
			t.Errorf("%s: valid = %v, want %v", tt.in.String(), got, tt.valid)
		}
		if got := len(IsNotMoreThan100Percent(tt.in, p)) != 0; got != tt.over100 {
			t.Errorf("%s: over 100%% = %v, want %v", tt.in.String(), got, tt.over100)
		}
	}
}

func TestValidateSelectorMatchesTemplate(t *testing.T) {
	tmpl := &v1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "a", "tier": "b"}}}
	tests := []struct {
		name string
		sel  *metav1.LabelSelector
		ok   bool
	}{
		{"nil (reported elsewhere)", nil, true},
		{"empty matches all", &metav1.LabelSelector{}, true},
		{"subset", &metav1.LabelSelector{MatchLabels: map[string]string{"app": "a"}}, true},
		{"expression", &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "tier", Operator: metav1.LabelSelectorOpExists}}}, true},
		{"other value", &metav1.LabelSelector{MatchLabels: map[string]string{"app": "z"}}, false},
		{"not in", &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"a"}}}}, false},
	}
	for _, tt := range tests {
		errs := ValidateSelectorMatchesTemplate(tt.sel, tmpl, field.NewPath("spec", "template"))
		if (len(errs) == 0) != tt.ok {
			t.Errorf("%s: errs %v", tt.name, errs)
		}
		if len(errs) == 1 && (errs[0].Field != "spec.template.metadata.labels" || errs[0].Detail != SelectorMismatch) {
			t.Errorf("%s: error %v", tt.name, errs[0])
		}
	}
}

func TestContainerCells(t *testing.T) {
	n, i := ContainerCells([]v1.Container{{Name: "a", Image: "x"}, {Name: "b", Image: "y"}})
	if n != "a,b" || i != "x,y" {
		t.Errorf("got %q %q", n, i)
	}
	if n, i := ContainerCells(nil); n != "" || i != "" {
		t.Errorf("empty: %q %q", n, i)
	}
}
