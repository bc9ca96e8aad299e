package core

import (
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func testPod() *v1.Pod {
	return &v1.Pod{
		ObjectMeta: objMeta("web"),
		Spec: v1.PodSpec{
			Containers: []v1.Container{{
				Name: "nginx", Image: "nginx:1.27",
				Ports:        []v1.ContainerPort{{ContainerPort: 80}},
				VolumeMounts: []v1.VolumeMount{{Name: "data", MountPath: "/data"}},
			}},
			Volumes: []v1.Volume{{Name: "data", VolumeSource: v1.VolumeSource{EmptyDir: &v1.EmptyDirVolumeSource{}}}},
		},
	}
}

func TestPodCreate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*v1.Pod)
		want   string
	}{
		{"valid", func(*v1.Pod) {}, ""},
		{"no containers", func(p *v1.Pod) { p.Spec.Containers = nil }, "spec.containers: Required value"},
		{"upper-case name", func(p *v1.Pod) { p.Name = "Web" },
			`metadata.name: Invalid value: "Web": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`},
		{"no namespace", func(p *v1.Pod) { p.Namespace = "" }, "metadata.namespace: Required value"},
		{"containerPort 70000", func(p *v1.Pod) { p.Spec.Containers[0].Ports[0].ContainerPort = 70000 },
			"spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"},
		{"duplicate container names", func(p *v1.Pod) {
			p.Spec.Containers = append(p.Spec.Containers, v1.Container{Name: "nginx", Image: "busybox"})
		}, `spec.containers[1].name: Duplicate value: "nginx"`},
		{"bad restartPolicy", func(p *v1.Pod) { p.Spec.RestartPolicy = "Sometimes" },
			`spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`},
		{"volumeMount to missing volume", func(p *v1.Pod) { p.Spec.Volumes = nil },
			`spec.containers[0].volumeMounts[0].name: Not found: "data"`},
		{"image with spaces", func(p *v1.Pod) { p.Spec.Containers[0].Image = " nginx" },
			`spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace`},
		{"ephemeral containers on create", func(p *v1.Pod) {
			p.Spec.EphemeralContainers = []v1.EphemeralContainer{{EphemeralContainerCommon: v1.EphemeralContainerCommon{Name: "debug", Image: "busybox"}}}
		}, "spec.ephemeralContainers: Forbidden: cannot be set on create"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := testPod()
			tt.mutate(pod)
			expectErrors(t, create(podStrategy{}, pod), tt.want)
		})
	}
}

func TestPodCreateDefaultsAndStatus(t *testing.T) {
	pod := testPod()
	pod.Spec.Containers[0].Resources.Limits = v1.ResourceList{
		v1.ResourceCPU: resource.MustParse("1"), v1.ResourceMemory: resource.MustParse("1Gi")}
	pod.Status.Phase = v1.PodRunning // clients may not set status
	expectErrors(t, create(podStrategy{}, pod), "")

	if pod.Status.Phase != v1.PodPending {
		t.Errorf("phase = %q, want Pending", pod.Status.Phase)
	}
	// Limits only: requests default to limits, so the pod is Guaranteed.
	if pod.Status.QOSClass != v1.PodQOSGuaranteed {
		t.Errorf("qosClass = %q, want Guaranteed", pod.Status.QOSClass)
	}
	if pod.Generation != 1 {
		t.Errorf("generation = %d, want 1", pod.Generation)
	}
	s := pod.Spec
	if s.RestartPolicy != v1.RestartPolicyAlways || s.DNSPolicy != v1.DNSClusterFirst || s.SchedulerName != "default-scheduler" ||
		*s.TerminationGracePeriodSeconds != 30 || s.SecurityContext == nil || !*s.EnableServiceLinks {
		t.Errorf("pod spec defaults missing: %+v", s)
	}
	c := s.Containers[0]
	if c.ImagePullPolicy != v1.PullIfNotPresent || c.TerminationMessagePath != "/dev/termination-log" ||
		c.TerminationMessagePolicy != v1.TerminationMessageReadFile || c.Ports[0].Protocol != v1.ProtocolTCP {
		t.Errorf("container defaults missing: %+v", c)
	}
	if q := c.Resources.Requests[v1.ResourceMemory]; q.String() != "1Gi" {
		t.Errorf("memory request = %s, want 1Gi from the limit", q.String())
	}
}

func TestPodQOSClass(t *testing.T) {
	res := func(req, lim string) v1.ResourceRequirements {
		r := v1.ResourceRequirements{}
		if req != "" {
			r.Requests = v1.ResourceList{v1.ResourceCPU: resource.MustParse(req), v1.ResourceMemory: resource.MustParse("1Gi")}
		}
		if lim != "" {
			r.Limits = v1.ResourceList{v1.ResourceCPU: resource.MustParse(lim), v1.ResourceMemory: resource.MustParse("1Gi")}
		}
		return r
	}
	tests := []struct {
		name string
		r    v1.ResourceRequirements
		want v1.PodQOSClass
	}{
		{"nothing", v1.ResourceRequirements{}, v1.PodQOSBestEffort},
		{"equal", res("1", "1"), v1.PodQOSGuaranteed},
		{"requests below limits", res("500m", "1"), v1.PodQOSBurstable},
		{"requests only", res("1", ""), v1.PodQOSBurstable},
	}
	for _, tt := range tests {
		spec := v1.PodSpec{Containers: []v1.Container{{Name: "c", Resources: tt.r}}}
		if got := PodQOSClass(&spec); got != tt.want {
			t.Errorf("%s: QoS = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestPodUpdate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*v1.Pod)
		want   string
	}{
		{"no change", func(*v1.Pod) {}, ""},
		{"image change", func(p *v1.Pod) { p.Spec.Containers[0].Image = "nginx:1.28" }, ""},
		{"labels change", func(p *v1.Pod) { p.Labels = map[string]string{"tier": "web"} }, ""},
		{"add toleration", func(p *v1.Pod) {
			p.Spec.Tolerations = append(p.Spec.Tolerations, v1.Toleration{Key: "k", Operator: v1.TolerationOpExists})
		}, ""},
		{"set activeDeadlineSeconds", func(p *v1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr(int64(60)) }, ""},
		{"change port", func(p *v1.Pod) { p.Spec.Containers[0].Ports[0].ContainerPort = 8080 },
			"spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"},
		{"change names changed field", func(p *v1.Pod) { p.Spec.NodeSelector = map[string]string{"disk": "ssd"} },
			"changed: spec.nodeSelector"},
		{"add container", func(p *v1.Pod) {
			p.Spec.Containers = append(p.Spec.Containers, v1.Container{Name: "side", Image: "busybox"})
		}, "spec.containers: Forbidden: pod updates may not add or remove containers"},
		{"missing resourceVersion", func(p *v1.Pod) { p.ResourceVersion = "" },
			"metadata.resourceVersion: Invalid value: \"\": must be specified for an update"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := stored(t, podStrategy{}, testPod()).(*v1.Pod)
			pod := old.DeepCopy()
			tt.mutate(pod)
			expectErrors(t, update(podStrategy{}, pod, old), tt.want)
		})
	}
}

// TestPodUpdateKeepsStatus: status changes only through /status, and a
// spec change bumps generation (Base does both).
func TestPodUpdateKeepsStatus(t *testing.T) {
	old := stored(t, podStrategy{}, testPod()).(*v1.Pod)
	old.Status.Phase = v1.PodRunning
	old.Status.PodIP = "10.0.0.5"
	pod := old.DeepCopy()
	pod.Status = v1.PodStatus{Phase: v1.PodFailed}
	pod.Spec.Containers[0].Image = "nginx:1.28"
	expectErrors(t, update(podStrategy{}, pod, old), "")
	if pod.Status.Phase != v1.PodRunning || pod.Status.PodIP != "10.0.0.5" {
		t.Errorf("status not preserved: %+v", pod.Status)
	}
	if pod.Generation != old.Generation+1 {
		t.Errorf("generation = %d, want %d", pod.Generation, old.Generation+1)
	}

	// And /status writes status only.
	st := old.DeepCopy()
	st.Spec.NodeName = "elsewhere"
	st.Status.Phase = v1.PodSucceeded
	podStrategy{}.PrepareForStatusUpdate(ctx, st, old)
	expectErrors(t, podStrategy{}.ValidateStatusUpdate(ctx, st, old), "")
	if st.Spec.NodeName != "" || st.Status.Phase != v1.PodSucceeded {
		t.Errorf("status update: nodeName %q phase %q", st.Spec.NodeName, st.Status.Phase)
	}
}

func TestPodStatusUpdate(t *testing.T) {
	never := func() *v1.Pod {
		p := testPod()
		p.Spec.RestartPolicy = v1.RestartPolicyNever
		return p
	}
	tests := []struct {
		name string
		old  func(*v1.PodStatus)
		new  func(*v1.PodStatus)
		want string
	}{
		{"qos is fixed", nil, func(s *v1.PodStatus) { s.QOSClass = v1.PodQOSGuaranteed },
			"status.qosClass: Invalid value: \"Guaranteed\": field is immutable"},
		{"bad pod IP", nil, func(s *v1.PodStatus) { s.PodIPs = []v1.PodIP{{IP: "10.0.0.300"}} },
			`status.podIPs[0]: Invalid value: "10.0.0.300"`},
		{"two IPv4 addresses", nil, func(s *v1.PodStatus) { s.PodIPs = []v1.PodIP{{IP: "10.0.0.1"}, {IP: "10.0.0.2"}} },
			"may specify no more than one IP for each IP family"},
		{"terminated container restarts under Never",
			func(s *v1.PodStatus) {
				s.ContainerStatuses = []v1.ContainerStatus{{Name: "nginx", State: v1.ContainerState{Terminated: &v1.ContainerStateTerminated{ExitCode: 1}}}}
			},
			func(s *v1.PodStatus) {
				s.ContainerStatuses = []v1.ContainerStatus{{Name: "nginx", State: v1.ContainerState{Running: &v1.ContainerStateRunning{}}}}
			},
			"status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := stored(t, podStrategy{}, never()).(*v1.Pod)
			if tt.old != nil {
				tt.old(&old.Status)
			}
			pod := old.DeepCopy()
			tt.new(&pod.Status)
			podStrategy{}.PrepareForStatusUpdate(ctx, pod, old)
			expectErrors(t, podStrategy{}.ValidateStatusUpdate(ctx, pod, old), tt.want)
		})
	}
}

func TestPodSelectableFields(t *testing.T) {
	pod := testPod()
	podStrategy{}.Default(pod)
	pod.Spec.NodeName = "node-1"
	pod.Status.Phase = v1.PodRunning
	pod.Status.PodIPs = []v1.PodIP{{IP: "10.1.0.4"}}
	f := podStrategy{}.SelectableFields(pod)
	want := map[string]string{
		"metadata.name": "web", "metadata.namespace": "default", "spec.nodeName": "node-1",
		"spec.restartPolicy": "Always", "spec.schedulerName": "default-scheduler",
		"spec.serviceAccountName": "", "status.phase": "Running", "status.podIP": "10.1.0.4",
		"status.nominatedNodeName": "", "spec.hostNetwork": "false",
	}
	for k, v := range want {
		if got, ok := f[k]; !ok || got != v {
			t.Errorf("%s = %q (present %v), want %q", k, got, ok, v)
		}
	}
}

func TestBindPod(t *testing.T) {
	pod := stored(t, podStrategy{}, testPod()).(*v1.Pod)
	b := &v1.Binding{ObjectMeta: metav1.ObjectMeta{Name: "web", Annotations: map[string]string{"a": "b"}},
		Target: v1.ObjectReference{Kind: "Node", Name: "node-1"}}
	if err := BindPod(pod, b, fixedNow); err != nil {
		t.Fatal(err)
	}
	if pod.Spec.NodeName != "node-1" || pod.Annotations["a"] != "b" || !podConditionTrue(pod, v1.PodScheduled) {
		t.Errorf("binding not applied: %+v", pod)
	}
	if err := BindPod(pod, b, fixedNow); err == nil || !strings.Contains(err.Error(), `is already assigned to node "node-1"`) {
		t.Errorf("second binding: %v", err)
	}
}

// TestPodTableRows checks the cells kubectl shows against upstream's
// printer output for common pod states.
func TestPodTableRows(t *testing.T) {
	ago := func(d time.Duration) metav1.Time { return metav1.NewTime(time.Now().Add(-d)) }
	base := func() *v1.Pod {
		p := testPod()
		p.CreationTimestamp = ago(10 * time.Minute)
		return p
	}
	running := func(s *v1.ContainerStatus) {
		s.State = v1.ContainerState{Running: &v1.ContainerStateRunning{}}
		s.Ready = true
	}
	tests := []struct {
		name  string
		setup func(*v1.Pod)
		want  []interface{}
	}{
		{"pending", func(p *v1.Pod) { p.Status.Phase = v1.PodPending },
			[]interface{}{"0/1", "Pending", "0", "10m", "<none>", "<none>", "<none>", "<none>"}},
		{"running", func(p *v1.Pod) {
			p.Spec.NodeName = "node-1"
			p.Status.Phase = v1.PodRunning
			p.Status.PodIPs = []v1.PodIP{{IP: "10.1.0.4"}}
			s := v1.ContainerStatus{Name: "nginx"}
			running(&s)
			p.Status.ContainerStatuses = []v1.ContainerStatus{s}
		}, []interface{}{"1/1", "Running", "0", "10m", "10.1.0.4", "node-1", "<none>", "<none>"}},
		{"crash loop", func(p *v1.Pod) {
			p.Status.Phase = v1.PodRunning
			p.Status.ContainerStatuses = []v1.ContainerStatus{{
				Name: "nginx", RestartCount: 5,
				State:                v1.ContainerState{Waiting: &v1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
				LastTerminationState: v1.ContainerState{Terminated: &v1.ContainerStateTerminated{ExitCode: 1, FinishedAt: ago(5 * time.Minute)}},
			}}
		}, []interface{}{"0/1", "CrashLoopBackOff", "5 (5m ago)", "10m", "<none>", "<none>", "<none>", "<none>"}},
		{"completed", func(p *v1.Pod) {
			p.Status.Phase = v1.PodSucceeded
			p.Status.ContainerStatuses = []v1.ContainerStatus{{
				Name:  "nginx",
				State: v1.ContainerState{Terminated: &v1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed"}},
			}}
		}, []interface{}{"0/1", "Completed", "0", "10m", "<none>", "<none>", "<none>", "<none>"}},
		{"terminating", func(p *v1.Pod) {
			p.Status.Phase = v1.PodRunning
			d := ago(time.Second)
			p.DeletionTimestamp = &d
			s := v1.ContainerStatus{Name: "nginx"}
			running(&s)
			p.Status.ContainerStatuses = []v1.ContainerStatus{s}
		}, []interface{}{"1/1", "Terminating", "0", "10m", "<none>", "<none>", "<none>", "<none>"}},
		{"init running", func(p *v1.Pod) {
			p.Spec.InitContainers = []v1.Container{{Name: "a"}, {Name: "b"}}
			p.Status.Phase = v1.PodPending
			p.Status.InitContainerStatuses = []v1.ContainerStatus{
				{Name: "a", State: v1.ContainerState{Terminated: &v1.ContainerStateTerminated{ExitCode: 0}}},
				{Name: "b", State: v1.ContainerState{Running: &v1.ContainerStateRunning{}}},
			}
			p.Status.ContainerStatuses = []v1.ContainerStatus{{Name: "nginx", State: v1.ContainerState{Waiting: &v1.ContainerStateWaiting{Reason: "PodInitializing"}}}}
		}, []interface{}{"0/1", "Init:1/2", "0", "10m", "<none>", "<none>", "<none>", "<none>"}},
		{"init crash loop", func(p *v1.Pod) {
			p.Spec.InitContainers = []v1.Container{{Name: "a"}}
			p.Status.Phase = v1.PodPending
			p.Status.InitContainerStatuses = []v1.ContainerStatus{{Name: "a", RestartCount: 2,
				State: v1.ContainerState{Waiting: &v1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}}}
		}, []interface{}{"0/1", "Init:CrashLoopBackOff", "2", "10m", "<none>", "<none>", "<none>", "<none>"}},
		{"image pull error", func(p *v1.Pod) {
			p.Status.Phase = v1.PodPending
			p.Status.ContainerStatuses = []v1.ContainerStatus{{Name: "nginx",
				State: v1.ContainerState{Waiting: &v1.ContainerStateWaiting{Reason: "ErrImagePull"}}}}
		}, []interface{}{"0/1", "ErrImagePull", "0", "10m", "<none>", "<none>", "<none>", "<none>"}},
		{"evicted", func(p *v1.Pod) {
			p.Status.Phase = v1.PodFailed
			p.Status.Reason = "Evicted"
		}, []interface{}{"0/1", "Evicted", "0", "10m", "<none>", "<none>", "<none>", "<none>"}},
		{"readiness gates", func(p *v1.Pod) {
			p.Status.Phase = v1.PodRunning
			p.Spec.ReadinessGates = []v1.PodReadinessGate{{ConditionType: "lb"}, {ConditionType: "dns"}}
			p.Status.Conditions = []v1.PodCondition{{Type: "lb", Status: v1.ConditionTrue}}
		}, []interface{}{"0/1", "Running", "0", "10m", "<none>", "<none>", "<none>", "1/2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := base()
			tt.setup(pod)
			got := podStrategy{}.TableRow(pod)
			if len(got) != len(tt.want) {
				t.Fatalf("cells %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("cell %d (%s) = %v, want %v", i, podStrategy{}.TableColumns()[i].Name, got[i], tt.want[i])
				}
			}
		})
	}
}
