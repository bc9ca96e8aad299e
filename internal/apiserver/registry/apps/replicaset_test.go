package apps

import (
	"reflect"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func validReplicaSet() *appsv1.ReplicaSet {
	return &appsv1.ReplicaSet{
		ObjectMeta: meta("web-5d8f"),
		Spec:       appsv1.ReplicaSetSpec{Selector: webSelector(), Template: template()},
	}
}

func TestReplicaSetDefaults(t *testing.T) {
	rs := validReplicaSet()
	if errs := registrytest.Create(replicaSetStrategy{}, rs); len(errs) != 0 {
		t.Fatal(errs)
	}
	if rs.Spec.Replicas == nil || *rs.Spec.Replicas != 1 {
		t.Errorf("replicas = %v, want 1", rs.Spec.Replicas)
	}
}

func TestReplicaSetValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*appsv1.ReplicaSet)
		want   []registrytest.WantErr
	}{
		{"valid", func(*appsv1.ReplicaSet) {}, nil},
		{"selector mismatch", func(rs *appsv1.ReplicaSet) { rs.Spec.Template.Labels = nil },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.template.metadata.labels"}}},
		{"missing selector", func(rs *appsv1.ReplicaSet) { rs.Spec.Selector = nil },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.selector"}}},
		{"bad selector operator", func(rs *appsv1.ReplicaSet) {
			rs.Spec.Selector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: "Near"}}}
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.selector.matchExpressions[0].operator"}}},
		{"negative replicas", func(rs *appsv1.ReplicaSet) { rs.Spec.Replicas = ptr[int32](-3) },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.replicas"}}},
		{"negative minReadySeconds", func(rs *appsv1.ReplicaSet) { rs.Spec.MinReadySeconds = -1 },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.minReadySeconds"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := validReplicaSet()
			tt.mutate(rs)
			registrytest.CheckErrors(t, registrytest.Create(replicaSetStrategy{}, rs), tt.want...)
		})
	}
}

func TestReplicaSetUpdate(t *testing.T) {
	old := validReplicaSet()
	registrytest.Create(replicaSetStrategy{}, old)
	rs := old.DeepCopy()
	rs.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web", "v": "2"}}
	rs.Spec.Template.Labels["v"] = "2"
	registrytest.CheckErrors(t, registrytest.Update(replicaSetStrategy{}, rs, old), registrytest.WantErr{Type: field.ErrorTypeInvalid, Field: "spec.selector"})

	rs = old.DeepCopy()
	rs.Spec.Replicas = ptr[int32](4)
	registrytest.CheckErrors(t, registrytest.Update(replicaSetStrategy{}, rs, old))
	if rs.Generation != 2 {
		t.Errorf("generation = %d, want 2", rs.Generation)
	}
}

func TestReplicaSetTableAndFields(t *testing.T) {
	if got, want := registrytest.ColumnNames(replicaSetStrategy{}), []string{"Desired", "Current", "Ready", "Age", "Containers*", "Images*", "Selector*"}; !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v, want %v", got, want)
	}
	rs := validReplicaSet()
	registrytest.Create(replicaSetStrategy{}, rs)
	rs.Spec.Replicas = ptr[int32](3)
	rs.Status = appsv1.ReplicaSetStatus{Replicas: 3, ReadyReplicas: 1}
	registrytest.CheckTable(t, replicaSetStrategy{}, rs, []interface{}{int64(3), int64(3), int64(1), "", "web,log", "nginx:1.27,busybox:1.36", "app=web"})
	f := replicaSetStrategy{}.SelectableFields(rs)
	if f["status.replicas"] != "3" || f["metadata.name"] != "web-5d8f" || f["metadata.namespace"] != "default" {
		t.Errorf("fields = %v", f)
	}
}
