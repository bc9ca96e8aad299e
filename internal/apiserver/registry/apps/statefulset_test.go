package apps

import (
	"reflect"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func validStatefulSet() *appsv1.StatefulSet {
	t := template()
	t.Spec.Containers[0].VolumeMounts = []v1.VolumeMount{{Name: "data", MountPath: "/data"}}
	return &appsv1.StatefulSet{
		ObjectMeta: meta("db"),
		Spec: appsv1.StatefulSetSpec{
			Selector: webSelector(), Template: t,
			VolumeClaimTemplates: []v1.PersistentVolumeClaim{{
				ObjectMeta: metav1.ObjectMeta{Name: "data"},
				Spec: v1.PersistentVolumeClaimSpec{
					AccessModes: []v1.PersistentVolumeAccessMode{v1.ReadWriteOnce},
					Resources:   v1.VolumeResourceRequirements{Requests: v1.ResourceList{v1.ResourceStorage: resource.MustParse("1Gi")}},
				},
			}},
		},
	}
}

func TestStatefulSetDefaults(t *testing.T) {
	s := validStatefulSet()
	if errs := registrytest.Create(statefulSetStrategy{}, s); len(errs) != 0 {
		t.Fatalf("valid statefulset refused: %v", errs)
	}
	one := intstr.FromInt32(1)
	wantStrategy := appsv1.StatefulSetUpdateStrategy{
		Type:          appsv1.RollingUpdateStatefulSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: ptr[int32](0), MaxUnavailable: &one},
	}
	if !reflect.DeepEqual(s.Spec.UpdateStrategy, wantStrategy) {
		t.Errorf("updateStrategy = %+v", s.Spec.UpdateStrategy)
	}
	if s.Spec.PodManagementPolicy != appsv1.OrderedReadyPodManagement {
		t.Errorf("podManagementPolicy = %q", s.Spec.PodManagementPolicy)
	}
	if *s.Spec.Replicas != 1 || *s.Spec.RevisionHistoryLimit != 10 {
		t.Errorf("replicas %d revisionHistoryLimit %d", *s.Spec.Replicas, *s.Spec.RevisionHistoryLimit)
	}
	wantRetention := appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: "Retain", WhenScaled: "Retain"}
	if *s.Spec.PersistentVolumeClaimRetentionPolicy != wantRetention {
		t.Errorf("retention = %+v", *s.Spec.PersistentVolumeClaimRetentionPolicy)
	}
	c := s.Spec.VolumeClaimTemplates[0]
	if c.Spec.VolumeMode == nil || *c.Spec.VolumeMode != v1.PersistentVolumeFilesystem || c.Status.Phase != v1.ClaimPending {
		t.Errorf("claim template not defaulted: %+v", c)
	}
	if s.Spec.ServiceName != "" {
		t.Errorf("serviceName should stay optional and empty")
	}

	// OnDelete keeps no rolling-update block.
	o := validStatefulSet()
	o.Spec.UpdateStrategy.Type = appsv1.OnDeleteStatefulSetStrategyType
	if errs := registrytest.Create(statefulSetStrategy{}, o); len(errs) != 0 || o.Spec.UpdateStrategy.RollingUpdate != nil {
		t.Errorf("OnDelete: %v %+v", errs, o.Spec.UpdateStrategy)
	}
}

func TestStatefulSetValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*appsv1.StatefulSet)
		want   []registrytest.WantErr
	}{
		{"valid", func(*appsv1.StatefulSet) {}, nil},
		{"with service", func(s *appsv1.StatefulSet) { s.Spec.ServiceName = "db" }, nil},
		{"parallel", func(s *appsv1.StatefulSet) { s.Spec.PodManagementPolicy = appsv1.ParallelPodManagement }, nil},
		{"selector mismatch", func(s *appsv1.StatefulSet) { s.Spec.Template.Labels = map[string]string{"app": "db"} },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.template.metadata.labels"}}},
		{"missing selector", func(s *appsv1.StatefulSet) { s.Spec.Selector = nil },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.selector"}}},
		{"negative replicas", func(s *appsv1.StatefulSet) { s.Spec.Replicas = ptr[int32](-1) },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.replicas"}}},
		{"subdomain name", func(s *appsv1.StatefulSet) { s.Name = "db.prod" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "metadata.name"}}},
		{"bad pod management", func(s *appsv1.StatefulSet) { s.Spec.PodManagementPolicy = "Random" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.podManagementPolicy"}}},
		{"bad update strategy", func(s *appsv1.StatefulSet) { s.Spec.UpdateStrategy.Type = "Sometimes" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.updateStrategy"}}},
		{"ondelete with rollingUpdate", func(s *appsv1.StatefulSet) {
			s.Spec.UpdateStrategy = appsv1.StatefulSetUpdateStrategy{Type: appsv1.OnDeleteStatefulSetStrategyType, RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{}}
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.updateStrategy.rollingUpdate"}}},
		{"negative partition", func(s *appsv1.StatefulSet) {
			s.Spec.UpdateStrategy = appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType, RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: ptr[int32](-1)}}
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.updateStrategy.rollingUpdate.partition"}}},
		{"zero maxUnavailable", func(s *appsv1.StatefulSet) {
			z := intstr.FromInt32(0)
			s.Spec.UpdateStrategy = appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType, RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{MaxUnavailable: &z}}
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.updateStrategy.rollingUpdate.maxUnavailable"}}},
		{"bad retention", func(s *appsv1.StatefulSet) {
			s.Spec.PersistentVolumeClaimRetentionPolicy = &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: "Keep"}
		}, []registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "spec.persistentVolumeClaimRetentionPolicy.whenDeleted"}}},
		{"bad service name", func(s *appsv1.StatefulSet) { s.Spec.ServiceName = "DB" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.serviceName"}}},
		{"duplicate claim", func(s *appsv1.StatefulSet) {
			s.Spec.VolumeClaimTemplates = append(s.Spec.VolumeClaimTemplates, *s.Spec.VolumeClaimTemplates[0].DeepCopy())
		}, []registrytest.WantErr{{Type: field.ErrorTypeDuplicate, Field: "spec.volumeClaimTemplates[1].metadata.name"}}},
		{"negative ordinals", func(s *appsv1.StatefulSet) { s.Spec.Ordinals = &appsv1.StatefulSetOrdinals{Start: -1} },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.ordinals.start"}}},
		{"activeDeadlineSeconds", func(s *appsv1.StatefulSet) { s.Spec.Template.Spec.ActiveDeadlineSeconds = ptr[int64](1) },
			[]registrytest.WantErr{{Type: field.ErrorTypeForbidden, Field: "spec.template.spec.activeDeadlineSeconds"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validStatefulSet()
			tt.mutate(s)
			registrytest.CheckErrors(t, registrytest.Create(statefulSetStrategy{}, s), tt.want...)
		})
	}
}

func TestStatefulSetUpdate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*appsv1.StatefulSet)
		want   []registrytest.WantErr
	}{
		{"scale", func(s *appsv1.StatefulSet) { s.Spec.Replicas = ptr[int32](3) }, nil},
		{"new image", func(s *appsv1.StatefulSet) { s.Spec.Template.Spec.Containers[0].Image = "postgres:17" }, nil},
		{"minReadySeconds", func(s *appsv1.StatefulSet) { s.Spec.MinReadySeconds = 10 }, nil},
		{"selector", func(s *appsv1.StatefulSet) {
			s.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web", "x": "y"}}
			s.Spec.Template.Labels["x"] = "y"
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.selector"}}},
		{"service name", func(s *appsv1.StatefulSet) { s.Spec.ServiceName = "other" },
			[]registrytest.WantErr{{Type: field.ErrorTypeForbidden, Field: "spec"}}},
		{"claim templates", func(s *appsv1.StatefulSet) { s.Spec.VolumeClaimTemplates[0].Spec.AccessModes = nil },
			[]registrytest.WantErr{{Type: field.ErrorTypeForbidden, Field: "spec"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := validStatefulSet()
			if errs := registrytest.Create(statefulSetStrategy{}, old); len(errs) != 0 {
				t.Fatal(errs)
			}
			s := old.DeepCopy()
			tt.mutate(s)
			registrytest.CheckErrors(t, registrytest.Update(statefulSetStrategy{}, s, old), tt.want...)
		})
	}
}

func TestStatefulSetTable(t *testing.T) {
	if got, want := registrytest.ColumnNames(statefulSetStrategy{}), []string{"Ready", "Age", "Containers*", "Images*"}; !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v, want %v", got, want)
	}
	s := validStatefulSet()
	registrytest.Create(statefulSetStrategy{}, s)
	s.Spec.Replicas = ptr[int32](3)
	s.Status.ReadyReplicas = 3
	registrytest.CheckTable(t, statefulSetStrategy{}, s, []interface{}{"3/3", "", "web,log", "nginx:1.27,busybox:1.36"})
}

// TestTemplateWithClaims checks claim templates become the volumes the
// controller will add, replacing a same-named template volume.
func TestTemplateWithClaims(t *testing.T) {
	s := validStatefulSet()
	s.Spec.Template.Spec.Volumes = []v1.Volume{
		{Name: "data", VolumeSource: v1.VolumeSource{EmptyDir: &v1.EmptyDirVolumeSource{}}},
		{Name: "tmp", VolumeSource: v1.VolumeSource{EmptyDir: &v1.EmptyDirVolumeSource{}}},
	}
	got := templateWithClaims(&s.Spec)
	if len(got.Spec.Volumes) != 2 || got.Spec.Volumes[0].Name != "tmp" || got.Spec.Volumes[1].PersistentVolumeClaim == nil {
		t.Errorf("volumes = %+v", got.Spec.Volumes)
	}
	if s.Spec.Template.Spec.Volumes[0].EmptyDir == nil {
		t.Errorf("the stored template was modified")
	}
}
