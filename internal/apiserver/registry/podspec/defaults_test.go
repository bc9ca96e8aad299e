package podspec

import (
	"testing"

	v1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestImageTag(t *testing.T) {
	tests := []struct{ image, want string }{
		{"nginx", "latest"},
		{"nginx:latest", "latest"},
		{"nginx:1.27", "1.27"},
		{"registry:5000/team/app", "latest"},
		{"registry:5000/team/app:v2", "v2"},
		{"nginx@sha256:abcd", ""},
		{"nginx:1.27@sha256:abcd", "1.27"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := imageTag(tt.image); got != tt.want {
			t.Errorf("imageTag(%q) = %q, want %q", tt.image, got, tt.want)
		}
	}
}

func TestDefaultPodSpec(t *testing.T) {
	spec := v1.PodSpec{
		Containers: []v1.Container{{
			Name:  "web",
			Image: "nginx",
			Ports: []v1.ContainerPort{{ContainerPort: 80}},
			Env: []v1.EnvVar{{Name: "NODE", ValueFrom: &v1.EnvVarSource{
				FieldRef: &v1.ObjectFieldSelector{FieldPath: "spec.nodeName"}}}},
			LivenessProbe: &v1.Probe{ProbeHandler: v1.ProbeHandler{
				HTTPGet: &v1.HTTPGetAction{Port: intstr.FromInt32(80)}}},
			Resources: v1.ResourceRequirements{Limits: v1.ResourceList{
				v1.ResourceCPU: resource.MustParse("500m")}},
		}, {
			Name:  "side",
			Image: "busybox:1.36",
		}},
		Volumes: []v1.Volume{
			{Name: "cm", VolumeSource: v1.VolumeSource{ConfigMap: &v1.ConfigMapVolumeSource{LocalObjectReference: v1.LocalObjectReference{Name: "x"}}}},
			{Name: "sec", VolumeSource: v1.VolumeSource{Secret: &v1.SecretVolumeSource{SecretName: "x"}}},
			{Name: "host", VolumeSource: v1.VolumeSource{HostPath: &v1.HostPathVolumeSource{Path: "/var"}}},
			{Name: "none"},
		},
		DeprecatedServiceAccount: "builder",
	}
	DefaultPodSpec(&spec)

	checks := []struct {
		name      string
		got, want interface{}
	}{
		{"restartPolicy", spec.RestartPolicy, v1.RestartPolicyAlways},
		{"dnsPolicy", spec.DNSPolicy, v1.DNSClusterFirst},
		{"schedulerName", spec.SchedulerName, "default-scheduler"},
		{"terminationGracePeriodSeconds", *spec.TerminationGracePeriodSeconds, int64(30)},
		{"securityContext", *spec.SecurityContext, v1.PodSecurityContext{}},
		{"serviceAccountName", spec.ServiceAccountName, "builder"},
		{"serviceAccount", spec.DeprecatedServiceAccount, "builder"},
		{"enableServiceLinks (pod only)", spec.EnableServiceLinks == nil, true},
		{"imagePullPolicy no tag", spec.Containers[0].ImagePullPolicy, v1.PullAlways},
		{"imagePullPolicy tagged", spec.Containers[1].ImagePullPolicy, v1.PullIfNotPresent},
		{"terminationMessagePath", spec.Containers[0].TerminationMessagePath, "/dev/termination-log"},
		{"terminationMessagePolicy", spec.Containers[0].TerminationMessagePolicy, v1.TerminationMessageReadFile},
		{"port protocol", spec.Containers[0].Ports[0].Protocol, v1.ProtocolTCP},
		{"fieldRef apiVersion", spec.Containers[0].Env[0].ValueFrom.FieldRef.APIVersion, "v1"},
		{"probe timeout", spec.Containers[0].LivenessProbe.TimeoutSeconds, int32(1)},
		{"probe period", spec.Containers[0].LivenessProbe.PeriodSeconds, int32(10)},
		{"probe success", spec.Containers[0].LivenessProbe.SuccessThreshold, int32(1)},
		{"probe failure", spec.Containers[0].LivenessProbe.FailureThreshold, int32(3)},
		{"httpGet scheme", spec.Containers[0].LivenessProbe.HTTPGet.Scheme, v1.URISchemeHTTP},
		{"httpGet path", spec.Containers[0].LivenessProbe.HTTPGet.Path, "/"},
		{"requests not copied for templates", spec.Containers[0].Resources.Requests == nil, true},
		{"configMap defaultMode", *spec.Volumes[0].ConfigMap.DefaultMode, int32(420)},
		{"secret defaultMode", *spec.Volumes[1].Secret.DefaultMode, int32(420)},
		{"hostPath type", *spec.Volumes[2].HostPath.Type, v1.HostPathUnset},
		{"no source becomes emptyDir", spec.Volumes[3].EmptyDir != nil, true},
	}
	for _, c := range checks {
		if !apiequality.Semantic.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}

	// Defaulting twice changes nothing: the handler may run it on every write.
	again := spec.DeepCopy()
	DefaultPodSpec(again)
	if !apiequality.Semantic.DeepEqual(&spec, again) {
		t.Error("DefaultPodSpec is not idempotent")
	}
}

func TestDefaultPodOnly(t *testing.T) {
	spec := v1.PodSpec{
		HostNetwork: true,
		Containers: []v1.Container{{
			Name: "web", Image: "nginx",
			Ports: []v1.ContainerPort{{ContainerPort: 8080}},
			Resources: v1.ResourceRequirements{
				Limits:   v1.ResourceList{v1.ResourceCPU: resource.MustParse("1"), v1.ResourceMemory: resource.MustParse("1Gi")},
				Requests: v1.ResourceList{v1.ResourceCPU: resource.MustParse("250m")},
			},
		}},
	}
	DefaultPodSpec(&spec)
	DefaultPodOnly(&spec)
	c := spec.Containers[0]
	if spec.EnableServiceLinks == nil || !*spec.EnableServiceLinks {
		t.Error("enableServiceLinks not defaulted to true")
	}
	if got := c.Resources.Requests[v1.ResourceMemory]; got.String() != "1Gi" {
		t.Errorf("memory request = %s, want 1Gi copied from the limit", got.String())
	}
	if got := c.Resources.Requests[v1.ResourceCPU]; got.String() != "250m" {
		t.Errorf("cpu request = %s, want the explicit 250m kept", got.String())
	}
	if c.Ports[0].HostPort != 8080 {
		t.Errorf("hostPort = %d, want 8080 under hostNetwork", c.Ports[0].HostPort)
	}
}

func TestRoundResourceList(t *testing.T) {
	l := v1.ResourceList{v1.ResourceCPU: resource.MustParse("0.0001")}
	RoundResourceList(l)
	if got := l[v1.ResourceCPU]; got.String() != "1m" {
		t.Errorf("rounded cpu = %s, want 1m", got.String())
	}
}
