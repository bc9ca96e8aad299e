package core

import (
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func testTemplate() *v1.PodTemplateSpec {
	return &v1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
		Spec:       v1.PodSpec{Containers: []v1.Container{{Name: "nginx", Image: "nginx:1.27"}, {Name: "log", Image: "busybox"}}},
	}
}

func TestPodTemplate(t *testing.T) {
	pt := &v1.PodTemplate{ObjectMeta: objMeta("tmpl"), Template: *testTemplate()}
	expectErrors(t, create(podTemplateStrategy{}, pt), "")
	if pt.Template.Spec.RestartPolicy != v1.RestartPolicyAlways || pt.Template.Spec.EnableServiceLinks != nil {
		t.Errorf("template defaults: restartPolicy %q enableServiceLinks %v", pt.Template.Spec.RestartPolicy, pt.Template.Spec.EnableServiceLinks)
	}
	bad := &v1.PodTemplate{ObjectMeta: objMeta("tmpl"), Template: *testTemplate()}
	bad.Template.Spec.Containers[0].Ports = []v1.ContainerPort{{ContainerPort: 70000}}
	expectErrors(t, create(podTemplateStrategy{}, bad),
		"template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive")

	row := podTemplateStrategy{}.TableRow(pt)
	want := []interface{}{"nginx,log", "nginx:1.27,busybox", "app=web"}
	for i := range want {
		if row[i] != want[i] {
			t.Errorf("cell %d = %v, want %v", i, row[i], want[i])
		}
	}
}

func TestReplicationController(t *testing.T) {
	rc := &v1.ReplicationController{ObjectMeta: objMeta("web"), Spec: v1.ReplicationControllerSpec{Template: testTemplate()}}
	expectErrors(t, create(rcStrategy{}, rc), "")
	if *rc.Spec.Replicas != 1 || rc.Spec.Selector["app"] != "web" || rc.Labels["app"] != "web" {
		t.Errorf("defaults: replicas %d selector %v labels %v", *rc.Spec.Replicas, rc.Spec.Selector, rc.Labels)
	}

	tests := []struct {
		name   string
		mutate func(*v1.ReplicationController)
		want   string
	}{
		{"selector mismatch", func(r *v1.ReplicationController) { r.Spec.Selector = map[string]string{"app": "api"} },
			"spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does not match template `labels`"},
		{"restartPolicy Never", func(r *v1.ReplicationController) { r.Spec.Template.Spec.RestartPolicy = v1.RestartPolicyNever },
			`spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"`},
		{"negative replicas", func(r *v1.ReplicationController) { r.Spec.Replicas = ptr(int32(-1)) },
			"spec.replicas: Invalid value: -1: must be greater than or equal to 0"},
		{"no template", func(r *v1.ReplicationController) {
			r.Spec.Template = nil
			r.Spec.Selector = map[string]string{"a": "b"}
		},
			"spec.template: Required value"},
		{"duplicate containers in template", func(r *v1.ReplicationController) {
			r.Spec.Template.Spec.Containers[1].Name = "nginx"
		}, `spec.template.spec.containers[1].name: Duplicate value: "nginx"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &v1.ReplicationController{ObjectMeta: objMeta("web"), Spec: v1.ReplicationControllerSpec{Template: testTemplate()}}
			tt.mutate(r)
			expectErrors(t, create(rcStrategy{}, r), tt.want)
		})
	}

	// Scaling bumps generation; status is kept from the stored object.
	old := stored(t, rcStrategy{}, rc).(*v1.ReplicationController)
	old.Status = v1.ReplicationControllerStatus{Replicas: 1, ReadyReplicas: 1}
	scaled := old.DeepCopy()
	scaled.Spec.Replicas = ptr(int32(3))
	scaled.Status = v1.ReplicationControllerStatus{}
	expectErrors(t, update(rcStrategy{}, scaled, old), "")
	if scaled.Generation != 2 || scaled.Status.Replicas != 1 {
		t.Errorf("generation %d status %+v", scaled.Generation, scaled.Status)
	}

	st := old.DeepCopy()
	st.Status.ReadyReplicas = 5
	rcStrategy{}.PrepareForStatusUpdate(ctx, st, old)
	expectErrors(t, rcStrategy{}.ValidateStatusUpdate(ctx, st, old),
		"status.readyReplicas: Invalid value: 5: cannot be greater than status.replicas")

	row := rcStrategy{}.TableRow(scaled)
	want := []interface{}{int64(3), int64(1), int64(1), "120m", "nginx,log", "nginx:1.27,busybox", "app=web"}
	for i := range want {
		if row[i] != want[i] {
			t.Errorf("cell %d = %v, want %v", i, row[i], want[i])
		}
	}
	if f := (rcStrategy{}).SelectableFields(scaled); f["status.replicas"] != "1" {
		t.Errorf("status.replicas = %q", f["status.replicas"])
	}
}

func TestEndpoints(t *testing.T) {
	ep := func() *v1.Endpoints {
		return &v1.Endpoints{ObjectMeta: objMeta("web"), Subsets: []v1.EndpointSubset{{
			Addresses: []v1.EndpointAddress{{IP: "10.1.0.4"}, {IP: "10.1.0.5"}},
			Ports:     []v1.EndpointPort{{Port: 80}},
		}}}
	}
	e := ep()
	expectErrors(t, create(endpointsStrategy{}, e), "")
	if e.Subsets[0].Ports[0].Protocol != v1.ProtocolTCP {
		t.Errorf("port protocol not defaulted")
	}
	for _, tt := range []struct {
		name   string
		mutate func(*v1.Endpoints)
		want   string
	}{
		{"loopback", func(e *v1.Endpoints) { e.Subsets[0].Addresses[0].IP = "127.0.0.1" },
			`subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)`},
		{"port 0", func(e *v1.Endpoints) { e.Subsets[0].Ports[0].Port = 0 },
			"subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"},
		{"unnamed ports", func(e *v1.Endpoints) { e.Subsets[0].Ports = append(e.Subsets[0].Ports, v1.EndpointPort{Port: 443}) },
			"subsets[0].ports[0].name: Required value"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := ep()
			tt.mutate(e)
			expectErrors(t, create(endpointsStrategy{}, e), tt.want)
		})
	}

	big := ep()
	big.Subsets[0].Ports = append(big.Subsets[0].Ports, v1.EndpointPort{Name: "https", Port: 443})
	if got := formatEndpoints(big); got != "10.1.0.4:80,10.1.0.5:80,10.1.0.4:443 + 1 more..." {
		t.Errorf("ENDPOINTS = %q", got)
	}
	if got := formatEndpoints(&v1.Endpoints{}); got != "<none>" {
		t.Errorf("empty ENDPOINTS = %q", got)
	}
}

func TestServiceAccount(t *testing.T) {
	sa := &v1.ServiceAccount{ObjectMeta: objMeta("builder"), Secrets: []v1.ObjectReference{{Name: "a"}}}
	expectErrors(t, create(serviceAccountStrategy{}, sa), "")
	if row := (serviceAccountStrategy{}).TableRow(sa); row[0] != int64(1) {
		t.Errorf("SECRETS = %v", row[0])
	}
}

func TestEvent(t *testing.T) {
	ev := func() *v1.Event {
		return &v1.Event{
			ObjectMeta:     objMeta("web.17a0"),
			InvolvedObject: v1.ObjectReference{Kind: "Pod", Namespace: "default", Name: "web", FieldPath: "spec.containers{nginx}"},
			Reason:         "Pulled", Message: "Successfully pulled image \"nginx\"\n", Type: v1.EventTypeNormal,
			Source: v1.EventSource{Component: "kubelet", Host: "node-1"}, Count: 3,
			FirstTimestamp: metav1.NewTime(time.Now().Add(-time.Hour)), LastTimestamp: metav1.NewTime(time.Now().Add(-time.Minute)),
		}
	}
	expectErrors(t, create(eventStrategy{}, ev()), "")
	for _, tt := range []struct {
		name   string
		mutate func(*v1.Event)
		want   string
	}{
		{"no involved object", func(e *v1.Event) { e.InvolvedObject = v1.ObjectReference{} }, "involvedObject: Required value"},
		{"namespace mismatch", func(e *v1.Event) { e.InvolvedObject.Namespace = "other" },
			`involvedObject.namespace: Invalid value: "other": does not match event.namespace`},
		{"new-style without reporter", func(e *v1.Event) { e.EventTime = metav1.NewMicroTime(time.Now()) },
			"reportingComponent: Required value"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := ev()
			tt.mutate(e)
			expectErrors(t, create(eventStrategy{}, e), tt.want)
		})
	}

	f := eventStrategy{}.SelectableFields(ev())
	for k, v := range map[string]string{"involvedObject.kind": "Pod", "involvedObject.name": "web", "involvedObject.namespace": "default",
		"reason": "Pulled", "type": "Normal", "source": "kubelet"} {
		if f[k] != v {
			t.Errorf("%s = %q, want %q", k, f[k], v)
		}
	}
	want := []interface{}{"60s", "Normal", "Pulled", "pod/web", "spec.containers{nginx}", "kubelet, node-1",
		`Successfully pulled image "nginx"`, "60m", int64(3)}
	got := eventStrategy{}.TableRow(ev())
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("cell %d (%s) = %v, want %v", i, eventStrategy{}.TableColumns()[i].Name, got[i], want[i])
		}
	}
}
