package apps

import (
	"reflect"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func validDaemonSet() *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: meta("agent"),
		Spec:       appsv1.DaemonSetSpec{Selector: webSelector(), Template: template()},
	}
}

func TestDaemonSetDefaults(t *testing.T) {
	ds := validDaemonSet()
	if errs := registrytest.Create(daemonSetStrategy{}, ds); len(errs) != 0 {
		t.Fatal(errs)
	}
	one, zero := intstr.FromInt32(1), intstr.FromInt32(0)
	want := appsv1.DaemonSetUpdateStrategy{
		Type:          appsv1.RollingUpdateDaemonSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &one, MaxSurge: &zero},
	}
	if !reflect.DeepEqual(ds.Spec.UpdateStrategy, want) {
		t.Errorf("updateStrategy = %+v", ds.Spec.UpdateStrategy)
	}
	if *ds.Spec.RevisionHistoryLimit != 10 {
		t.Errorf("revisionHistoryLimit = %d", *ds.Spec.RevisionHistoryLimit)
	}
}

func TestDaemonSetValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*appsv1.DaemonSet)
		want   []registrytest.WantErr
	}{
		{"valid", func(*appsv1.DaemonSet) {}, nil},
		{"surge instead of unavailable", func(ds *appsv1.DaemonSet) {
			z, s := intstr.FromInt32(0), intstr.FromString("10%")
			ds.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &z, MaxSurge: &s}
		}, nil},
		{"ondelete", func(ds *appsv1.DaemonSet) { ds.Spec.UpdateStrategy.Type = appsv1.OnDeleteDaemonSetStrategyType }, nil},
		{"selector mismatch", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Labels = map[string]string{"x": "y"} },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.template.metadata.labels"}}},
		{"missing selector", func(ds *appsv1.DaemonSet) { ds.Spec.Selector = nil },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.selector"}}},
		{"empty selector", func(ds *appsv1.DaemonSet) { ds.Spec.Selector = &metav1.LabelSelector{} },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.selector"}}},
		{"surge and unavailable", func(ds *appsv1.DaemonSet) {
			o := intstr.FromInt32(1)
			ds.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &o, MaxSurge: &o}
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.updateStrategy.rollingUpdate.maxSurge"}}},
		{"both zero", func(ds *appsv1.DaemonSet) {
			z := intstr.FromInt32(0)
			ds.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &z, MaxSurge: &z}
		}, []registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.updateStrategy.rollingUpdate.maxUnavailable"}}},
		{"bad strategy", func(ds *appsv1.DaemonSet) { ds.Spec.UpdateStrategy.Type = "Never" },
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "spec.updateStrategy.type"}}},
		{"restartPolicy OnFailure", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.RestartPolicy = "OnFailure" },
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "spec.template.spec.restartPolicy"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := validDaemonSet()
			tt.mutate(ds)
			registrytest.CheckErrors(t, registrytest.Create(daemonSetStrategy{}, ds), tt.want...)
		})
	}
}

func TestDaemonSetUpdate(t *testing.T) {
	old := validDaemonSet()
	registrytest.Create(daemonSetStrategy{}, old)
	ds := old.DeepCopy()
	ds.Spec.Selector.MatchLabels = map[string]string{"app": "web", "new": "x"}
	ds.Spec.Template.Labels["new"] = "x"
	registrytest.CheckErrors(t, registrytest.Update(daemonSetStrategy{}, ds, old), registrytest.WantErr{Type: field.ErrorTypeInvalid, Field: "spec.selector"})
}

func TestDaemonSetTable(t *testing.T) {
	want := []string{"Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector", "Age", "Containers*", "Images*", "Selector*"}
	if got := registrytest.ColumnNames(daemonSetStrategy{}); !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v, want %v", got, want)
	}
	ds := validDaemonSet()
	registrytest.Create(daemonSetStrategy{}, ds)
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"kubernetes.io/os": "linux"}
	ds.Status = appsv1.DaemonSetStatus{DesiredNumberScheduled: 2, CurrentNumberScheduled: 2, NumberReady: 1, UpdatedNumberScheduled: 2, NumberAvailable: 1}
	registrytest.CheckTable(t, daemonSetStrategy{}, ds, []interface{}{int64(2), int64(2), int64(1), int64(2), int64(1), "kubernetes.io/os=linux", "", "web,log", "nginx:1.27,busybox:1.36", "app=web"})
}
