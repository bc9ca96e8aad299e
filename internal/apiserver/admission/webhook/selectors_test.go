package webhook

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

func TestMatchesNamespace(t *testing.T) {
	nss := namespaces{"prod": {"env": "prod"}, "dev": {"env": "dev"}}
	prodOnly := &hook{name: "h", namespaceSel: &metav1.LabelSelector{MatchLabels: map[string]string{"env": "prod"}}}
	nsObject := func(op admission.Operation, name string, nsLabels map[string]string) *admission.Attributes {
		obj := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: nsLabels}}
		a := &admission.Attributes{Operation: op, Resource: corev1.SchemeGroupVersion.WithResource("namespaces"), Name: name, Object: obj}
		if op == admission.Delete {
			a.Object, a.OldObject = nil, obj
		}
		return a
	}
	node := &admission.Attributes{Operation: admission.Create, Resource: corev1.SchemeGroupVersion.WithResource("nodes"), Name: "n"}
	tests := []struct {
		name    string
		hook    *hook
		attrs   *admission.Attributes
		want    bool
		wantErr func(error) bool
	}{
		{"matching namespace", prodOnly, podAttrs(admission.Create, "prod", "p", nil), true, nil},
		{"other namespace", prodOnly, podAttrs(admission.Create, "dev", "p", nil), false, nil},
		{"empty selector", &hook{namespaceSel: &metav1.LabelSelector{}}, podAttrs(admission.Create, "nowhere", "p", nil), true, nil},
		{"nil selector", &hook{}, podAttrs(admission.Create, "nowhere", "p", nil), true, nil},
		{"missing namespace", prodOnly, podAttrs(admission.Create, "nowhere", "p", nil), false, apierrors.IsNotFound},
		{"cluster-scoped object", prodOnly, node, true, nil},
		// A namespace being created or relabelled is matched by its new
		// labels, which no cache has yet.
		{"namespace create, its own labels", prodOnly, nsObject(admission.Create, "new", map[string]string{"env": "prod"}), true, nil},
		{"namespace update, its own labels", prodOnly, nsObject(admission.Update, "dev", map[string]string{"env": "prod"}), true, nil},
		{"namespace delete, stored labels", prodOnly, nsObject(admission.Delete, "dev", map[string]string{"env": "prod"}), false, nil},
		{"match expressions", &hook{namespaceSel: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: "env", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"prod"}}}}}, podAttrs(admission.Create, "dev", "p", nil), true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.hook.matchesNamespace(ctx(t), tt.attrs, &Deps{Namespaces: nss})
			if tt.wantErr != nil {
				if !tt.wantErr(err) {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("matchesNamespace = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// TestLiveNamespace: a namespace the lister does not know yet is read
// live before the write is refused with a 404.
func TestLiveNamespace(t *testing.T) {
	h := &hook{name: "h", namespaceSel: &metav1.LabelSelector{MatchLabels: map[string]string{"env": "prod"}}}
	live := func(_ context.Context, name string) (*corev1.Namespace, error) {
		if name != "just-created" {
			return nil, apierrors.NewNotFound(corev1.Resource("namespaces"), name)
		}
		return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"env": "prod"}}}, nil
	}
	deps := &Deps{Namespaces: namespaces{}, LiveNamespace: live}
	if ok, err := h.matchesNamespace(ctx(t), podAttrs(admission.Create, "just-created", "p", nil), deps); !ok || err != nil {
		t.Errorf("just created: %v, %v", ok, err)
	}
	if _, err := h.matchesNamespace(ctx(t), podAttrs(admission.Create, "never", "p", nil), deps); !apierrors.IsNotFound(err) {
		t.Errorf("missing: %v", err)
	}
}

func TestMatchesObject(t *testing.T) {
	teamA := &hook{objectSel: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "a"}}}
	relabel := func(newLabels, oldLabels map[string]string) *admission.Attributes {
		a := podAttrs(admission.Update, "ns", "p", newLabels)
		a.OldObject.(*corev1.Pod).Labels = oldLabels
		return a
	}
	tests := []struct {
		name  string
		attrs *admission.Attributes
		want  bool
	}{
		{"new object matches", podAttrs(admission.Create, "ns", "p", map[string]string{"team": "a"}), true},
		{"new object does not", podAttrs(admission.Create, "ns", "p", map[string]string{"team": "b"}), false},
		{"no labels", podAttrs(admission.Create, "ns", "p", nil), false},
		{"leaves the team", relabel(map[string]string{"team": "b"}, map[string]string{"team": "a"}), true},
		{"joins the team", relabel(map[string]string{"team": "a"}, nil), true},
		{"deleted, old matches", podAttrs(admission.Delete, "ns", "p", map[string]string{"team": "a"}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := teamA.matchesObject(tt.attrs)
			if err != nil || got != tt.want {
				t.Errorf("matchesObject = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}
