package apps

import (
	"context"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func validDeployment() *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: meta("web"),
		Spec:       appsv1.DeploymentSpec{Selector: webSelector(), Template: template()},
	}
}

func TestDeploymentDefaults(t *testing.T) {
	d := validDeployment()
	if errs := registrytest.Create(deploymentStrategy{}, d); len(errs) != 0 {
		t.Fatalf("valid deployment refused: %v", errs)
	}
	quarter := intstr.FromString("25%")
	want := appsv1.DeploymentStrategy{
		Type:          appsv1.RollingUpdateDeploymentStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDeployment{MaxUnavailable: &quarter, MaxSurge: &quarter},
	}
	if !reflect.DeepEqual(d.Spec.Strategy, want) {
		t.Errorf("strategy = %+v, want %+v", d.Spec.Strategy, want)
	}
	for name, got := range map[string]*int32{"replicas": d.Spec.Replicas, "revisionHistoryLimit": d.Spec.RevisionHistoryLimit, "progressDeadlineSeconds": d.Spec.ProgressDeadlineSeconds} {
		wantV := map[string]int32{"replicas": 1, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600}[name]
		if got == nil || *got != wantV {
			t.Errorf("%s = %v, want %d", name, got, wantV)
		}
	}
	if d.Generation != 1 {
		t.Errorf("generation = %d, want 1", d.Generation)
	}

	// Recreate gets no rolling-update block.
	r := validDeployment()
	r.Spec.Strategy.Type = appsv1.RecreateDeploymentStrategyType
	if errs := registrytest.Create(deploymentStrategy{}, r); len(errs) != 0 || r.Spec.Strategy.RollingUpdate != nil {
		t.Errorf("recreate: errs %v, rollingUpdate %v", errs, r.Spec.Strategy.RollingUpdate)
	}
}

func TestDeploymentValidate(t *testing.T) {
	zero := intstr.FromInt32(0)
	tests := []struct {
		name   string
		mutate func(*appsv1.Deployment)
		want   []registrytest.WantErr
	}{
		{"valid", func(*appsv1.Deployment) {}, nil},
		{"zero replicas", func(d *appsv1.Deployment) { d.Spec.Replicas = ptr[int32](0) }, nil},
		{"matchExpressions selector", func(d *appsv1.Deployment) {
			d.Spec.Selector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: metav1.LabelSelectorOpIn, Values: []string{"web", "api"}}}}
		}, nil},
		{"selector mismatch", func(d *appsv1.Deployment) { d.Spec.Template.Labels = map[string]string{"app": "other"} },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.template.metadata.labels"}}},
		{"missing selector", func(d *appsv1.Deployment) { d.Spec.Selector = nil },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.selector"}}},
		{"empty selector", func(d *appsv1.Deployment) { d.Spec.Selector = &metav1.LabelSelector{} },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.selector"}}},
		{"negative replicas", func(d *appsv1.Deployment) { d.Spec.Replicas = ptr[int32](-1) },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.replicas"}}},
		{"restartPolicy Never", func(d *appsv1.Deployment) { d.Spec.Template.Spec.RestartPolicy = "Never" },
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "spec.template.spec.restartPolicy"}}},
		{"activeDeadlineSeconds", func(d *appsv1.Deployment) { d.Spec.Template.Spec.ActiveDeadlineSeconds = ptr[int64](5) },
			[]registrytest.WantErr{{Type: field.ErrorTypeForbidden, Field: "spec.template.spec.activeDeadlineSeconds"}}},
		{"bad strategy type", func(d *appsv1.Deployment) { d.Spec.Strategy.Type = "BlueGreen" },
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "spec.strategy.type"}}},
		{"recreate with rollingUpdate", func(d *appsv1.Deployment) {
			d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{}}
		}, []registrytest.WantErr{{Type: field.ErrorTypeForbidden, Field: "spec.strategy.rollingUpdate"}}},
		{"both budgets zero", func(d *appsv1.Deployment) {
			d.Spec.Strategy.RollingUpdate = &appsv1.RollingUpdateDeployment{MaxUnavailable: &zero, MaxSurge: &zero}
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.strategy.rollingUpdate.maxUnavailable"}}},
		{"maxUnavailable over 100%", func(d *appsv1.Deployment) {
			v := intstr.FromString("150%")
			d.Spec.Strategy.RollingUpdate = &appsv1.RollingUpdateDeployment{MaxUnavailable: &v}
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.strategy.rollingUpdate.maxUnavailable"}}},
		{"maxSurge not a percent", func(d *appsv1.Deployment) {
			v := intstr.FromString("lots")
			d.Spec.Strategy.RollingUpdate = &appsv1.RollingUpdateDeployment{MaxSurge: &v}
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.strategy.rollingUpdate.maxSurge"}}},
		{"deadline not above minReadySeconds", func(d *appsv1.Deployment) {
			d.Spec.MinReadySeconds = 30
			d.Spec.ProgressDeadlineSeconds = ptr[int32](30)
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.progressDeadlineSeconds"}}},
		{"negative revisionHistoryLimit", func(d *appsv1.Deployment) { d.Spec.RevisionHistoryLimit = ptr[int32](-1) },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.revisionHistoryLimit"}}},
		{"bad name", func(d *appsv1.Deployment) { d.Name = "Web_1" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "metadata.name"}}},
		{"no namespace", func(d *appsv1.Deployment) { d.Namespace = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "metadata.namespace"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := validDeployment()
			tt.mutate(d)
			registrytest.CheckErrors(t, registrytest.Create(deploymentStrategy{}, d), tt.want...)
		})
	}
}

// TestSelectorMismatchMessage pins the message clients see, which upstream
// users grep for.
func TestSelectorMismatchMessage(t *testing.T) {
	d := validDeployment()
	d.Spec.Template.Labels = map[string]string{"app": "other"}
	errs := registrytest.Create(deploymentStrategy{}, d)
	if len(errs) != 1 {
		t.Fatalf("want one error, got %v", errs)
	}
	msg := errs[0].Error()
	if !strings.HasPrefix(msg, "spec.template.metadata.labels: Invalid value: ") ||
		!strings.HasSuffix(msg, ": `selector` does not match template `labels`") || !strings.Contains(msg, `"app":"other"`) {
		t.Errorf("message = %q", msg)
	}
	if _, ok := errs[0].BadValue.(map[string]string); !ok {
		t.Errorf("bad value is %T, want the template labels map", errs[0].BadValue)
	}
}

func TestDeploymentUpdate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*appsv1.Deployment)
		want   []registrytest.WantErr
		genUp  bool
	}{
		{"scale", func(d *appsv1.Deployment) { d.Spec.Replicas = ptr[int32](5) }, nil, true},
		{"new image", func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "nginx:1.28" }, nil, true},
		{"label only", func(d *appsv1.Deployment) { d.Labels = map[string]string{"team": "a"} }, nil, false},
		{"annotation bumps generation", func(d *appsv1.Deployment) { d.Annotations = map[string]string{"note": "x"} }, nil, true},
		{"selector change", func(d *appsv1.Deployment) {
			d.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web", "tier": "fe"}}
			d.Spec.Template.Labels["tier"] = "fe"
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.selector"}}, true},
		{"status is ignored", func(d *appsv1.Deployment) { d.Status.Replicas = 7 }, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := validDeployment()
			if errs := registrytest.Create(deploymentStrategy{}, old); len(errs) != 0 {
				t.Fatal(errs)
			}
			old.Status.Replicas = 1
			d := old.DeepCopy()
			tt.mutate(d)
			registrytest.CheckErrors(t, registrytest.Update(deploymentStrategy{}, d, old), tt.want...)
			if got := d.Generation != old.Generation; got != tt.genUp {
				t.Errorf("generation bumped = %v, want %v", got, tt.genUp)
			}
			if d.Status.Replicas != 1 {
				t.Errorf("status changed through the main resource")
			}
		})
	}
}

func TestDeploymentStatusUpdate(t *testing.T) {
	tests := []struct {
		name   string
		status appsv1.DeploymentStatus
		want   []registrytest.WantErr
	}{
		{"valid", appsv1.DeploymentStatus{Replicas: 3, UpdatedReplicas: 3, ReadyReplicas: 2, AvailableReplicas: 2}, nil},
		{"negative", appsv1.DeploymentStatus{ObservedGeneration: -1}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "status.observedGeneration"}}},
		{"ready above replicas", appsv1.DeploymentStatus{Replicas: 1, ReadyReplicas: 2},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "status.readyReplicas"}}},
		{"available above ready", appsv1.DeploymentStatus{Replicas: 2, ReadyReplicas: 1, AvailableReplicas: 2},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "status.availableReplicas"}}},
		{"collision count decremented", appsv1.DeploymentStatus{CollisionCount: ptr[int32](1)},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "status.collisionCount"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := validDeployment()
			registrytest.Create(deploymentStrategy{}, old)
			old.Status.CollisionCount = ptr[int32](2)
			d := old.DeepCopy()
			d.Status = tt.status
			if d.Status.CollisionCount == nil {
				d.Status.CollisionCount = ptr[int32](2)
			}
			d.Spec.Replicas = ptr[int32](9) // must be dropped by the status split
			ctx := context.Background()
			deploymentStrategy{}.PrepareForStatusUpdate(ctx, d, old)
			if *d.Spec.Replicas != 1 {
				t.Errorf("spec changed through /status")
			}
			registrytest.CheckErrors(t, deploymentStrategy{}.ValidateStatusUpdate(ctx, d, old), tt.want...)
		})
	}
}

func TestDeploymentTable(t *testing.T) {
	if got, want := registrytest.ColumnNames(deploymentStrategy{}), []string{"Ready", "Up-to-date", "Available", "Age", "Containers*", "Images*", "Selector*"}; !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v, want %v", got, want)
	}
	d := validDeployment()
	registrytest.Create(deploymentStrategy{}, d)
	d.Spec.Replicas = ptr[int32](3)
	d.Status = appsv1.DeploymentStatus{ReadyReplicas: 2, UpdatedReplicas: 3, AvailableReplicas: 2}
	registrytest.CheckTable(t, deploymentStrategy{}, d, []interface{}{"2/3", int64(3), int64(2), "", "web,log", "nginx:1.27,busybox:1.36", "app=web"})
}
