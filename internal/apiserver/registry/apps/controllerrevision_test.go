package apps

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func validRevision() *appsv1.ControllerRevision {
	return &appsv1.ControllerRevision{
		ObjectMeta: meta("web-7b9c"),
		Data:       runtime.RawExtension{Raw: []byte(`{"spec":{}}`)},
		Revision:   1,
	}
}

func TestControllerRevisionValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*appsv1.ControllerRevision)
		want   []registrytest.WantErr
	}{
		{"valid", func(*appsv1.ControllerRevision) {}, nil},
		{"no data", func(r *appsv1.ControllerRevision) { r.Data = runtime.RawExtension{} },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "data"}}},
		{"negative revision", func(r *appsv1.ControllerRevision) { r.Revision = -1 },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "revision"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validRevision()
			tt.mutate(r)
			registrytest.CheckErrors(t, registrytest.Create(controllerRevisionStrategy{}, r), tt.want...)
		})
	}

	old := validRevision()
	r := old.DeepCopy()
	r.Revision = 4
	registrytest.CheckErrors(t, registrytest.Update(controllerRevisionStrategy{}, r, old))
	r.Data.Raw = []byte(`{"spec":{"x":1}}`)
	registrytest.CheckErrors(t, registrytest.Update(controllerRevisionStrategy{}, r, old), registrytest.WantErr{Type: field.ErrorTypeInvalid, Field: "data"})
}

func TestControllerRevisionTable(t *testing.T) {
	r := validRevision()
	registrytest.CheckTable(t, controllerRevisionStrategy{}, r, []interface{}{"<none>", int64(1), ""})
	yes := true
	r.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "StatefulSet", Name: "web", UID: "u", Controller: &yes}}
	registrytest.CheckTable(t, controllerRevisionStrategy{}, r, []interface{}{"statefulset.apps/web", int64(1), ""})
}
