package podspec

import (
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// validSpec is a small defaulted spec that passes; each case breaks one
// thing in it.
func validSpec() v1.PodSpec {
	spec := v1.PodSpec{
		Containers: []v1.Container{{
			Name:         "web",
			Image:        "nginx:1.27",
			Ports:        []v1.ContainerPort{{Name: "http", ContainerPort: 80}},
			Env:          []v1.EnvVar{{Name: "MODE", Value: "prod"}},
			VolumeMounts: []v1.VolumeMount{{Name: "data", MountPath: "/data"}},
			ReadinessProbe: &v1.Probe{ProbeHandler: v1.ProbeHandler{
				HTTPGet: &v1.HTTPGetAction{Port: intstr.FromString("http")}}},
			Resources: v1.ResourceRequirements{
				Limits:   v1.ResourceList{v1.ResourceMemory: resource.MustParse("128Mi")},
				Requests: v1.ResourceList{v1.ResourceMemory: resource.MustParse("64Mi")},
			},
		}},
		InitContainers: []v1.Container{{Name: "init", Image: "busybox"}},
		Volumes:        []v1.Volume{{Name: "data", VolumeSource: v1.VolumeSource{EmptyDir: &v1.EmptyDirVolumeSource{}}}},
	}
	DefaultPodSpec(&spec)
	return spec
}

// errorString renders errors the way the API reports them, one per line.
func errorString(errs field.ErrorList) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString(e.Error())
		b.WriteString("\n")
	}
	return b.String()
}

func TestValidatePodSpec(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*v1.PodSpec)
		want   string // substring of one error; "" means valid
	}{
		{"valid", func(*v1.PodSpec) {}, ""},
		{"no containers", func(s *v1.PodSpec) { s.Containers = nil },
			"spec.containers: Required value"},
		{"container name upper case", func(s *v1.PodSpec) { s.Containers[0].Name = "Web" },
			`spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label`},
		{"container name missing", func(s *v1.PodSpec) { s.Containers[0].Name = "" },
			"spec.containers[0].name: Required value"},
		{"duplicate container names", func(s *v1.PodSpec) {
			c := s.Containers[0]
			c.Ports = nil
			s.Containers = append(s.Containers, c)
		}, `spec.containers[1].name: Duplicate value: "web"`},
		{"init container reuses a container name", func(s *v1.PodSpec) { s.InitContainers[0].Name = "web" },
			`spec.initContainers[0].name: Duplicate value: "web"`},
		{"image missing", func(s *v1.PodSpec) { s.Containers[0].Image = "" },
			"spec.containers[0].image: Required value"},
		{"container port too big", func(s *v1.PodSpec) { s.Containers[0].Ports[0].ContainerPort = 70000 },
			"spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"},
		{"container port missing", func(s *v1.PodSpec) { s.Containers[0].Ports[0].ContainerPort = 0 },
			"spec.containers[0].ports[0].containerPort: Required value"},
		{"bad protocol", func(s *v1.PodSpec) { s.Containers[0].Ports[0].Protocol = "ICMP" },
			`spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"`},
		{"bad port name", func(s *v1.PodSpec) { s.Containers[0].Ports[0].Name = "HTTP_1" },
			`spec.containers[0].ports[0].name: Invalid value: "HTTP_1"`},
		{"duplicate port name", func(s *v1.PodSpec) {
			s.Containers[0].Ports = append(s.Containers[0].Ports, v1.ContainerPort{Name: "http", ContainerPort: 81, Protocol: v1.ProtocolTCP})
		}, `spec.containers[0].ports[1].name: Duplicate value: "http"`},
		{"env name with =", func(s *v1.PodSpec) { s.Containers[0].Env[0].Name = "A=B" },
			`spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`},
		{"env value and valueFrom", func(s *v1.PodSpec) {
			s.Containers[0].Env[0].ValueFrom = &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.name"}}
		}, "spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"},
		{"env bad fieldPath", func(s *v1.PodSpec) {
			s.Containers[0].Env[0] = v1.EnvVar{Name: "X", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "spec.nope"}}}
		}, `spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.nope"`},
		{"env label subscript ok", func(s *v1.PodSpec) {
			s.Containers[0].Env[0] = v1.EnvVar{Name: "X", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.labels['app']"}}}
		}, ""},
		{"volume mount to missing volume", func(s *v1.PodSpec) { s.Containers[0].VolumeMounts[0].Name = "cache" },
			`spec.containers[0].volumeMounts[0].name: Not found: "cache"`},
		{"volume mount without path", func(s *v1.PodSpec) { s.Containers[0].VolumeMounts[0].MountPath = "" },
			"spec.containers[0].volumeMounts[0].mountPath: Required value"},
		{"duplicate volume", func(s *v1.PodSpec) { s.Volumes = append(s.Volumes, s.Volumes[0]) },
			`spec.volumes[1].name: Duplicate value: "data"`},
		{"volume name upper case", func(s *v1.PodSpec) { s.Volumes[0].Name = "Data" },
			`spec.volumes[0].name: Invalid value: "Data"`},
		{"two volume sources", func(s *v1.PodSpec) { s.Volumes[0].HostPath = &v1.HostPathVolumeSource{Path: "/x"} },
			"spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type"},
		{"no volume source", func(s *v1.PodSpec) { s.Volumes[0].EmptyDir = nil },
			"spec.volumes[0]: Required value: must specify a volume type"},
		{"secret volume without name", func(s *v1.PodSpec) {
			s.Volumes[0].VolumeSource = v1.VolumeSource{Secret: &v1.SecretVolumeSource{}}
		}, "spec.volumes[0].secret.secretName: Required value"},
		{"bad restartPolicy", func(s *v1.PodSpec) { s.RestartPolicy = "Sometimes" },
			`spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`},
		{"bad dnsPolicy", func(s *v1.PodSpec) { s.DNSPolicy = "Google" },
			`spec.dnsPolicy: Unsupported value: "Google"`},
		{"dnsPolicy None without config", func(s *v1.PodSpec) { s.DNSPolicy = v1.DNSNone },
			"spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"},
		{"negative quantity", func(s *v1.PodSpec) {
			s.Containers[0].Resources.Limits[v1.ResourceCPU] = resource.MustParse("-1")
		}, `spec.containers[0].resources.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0`},
		{"request above limit", func(s *v1.PodSpec) {
			s.Containers[0].Resources.Requests[v1.ResourceMemory] = resource.MustParse("1Gi")
		}, `spec.containers[0].resources.requests: Invalid value: "1Gi": must be less than or equal to memory limit of 128Mi`},
		{"unknown resource", func(s *v1.PodSpec) {
			s.Containers[0].Resources.Limits["gpu"] = resource.MustParse("1")
		}, `spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers`},
		{"extended resource needs equal request", func(s *v1.PodSpec) {
			s.Containers[0].Resources.Limits["example.com/gpu"] = resource.MustParse("2")
			s.Containers[0].Resources.Requests["example.com/gpu"] = resource.MustParse("1")
		}, "must be equal to example.com/gpu limit of 2"},
		{"probe without handler", func(s *v1.PodSpec) { s.Containers[0].ReadinessProbe.HTTPGet = nil },
			"spec.containers[0].readinessProbe: Required value: must specify a handler type"},
		{"probe with two handlers", func(s *v1.PodSpec) {
			s.Containers[0].ReadinessProbe.TCPSocket = &v1.TCPSocketAction{Port: intstr.FromInt32(80)}
		}, "spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type"},
		{"liveness successThreshold", func(s *v1.PodSpec) {
			p := s.Containers[0].ReadinessProbe.DeepCopy()
			p.SuccessThreshold = 2
			s.Containers[0].LivenessProbe = p
		}, "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"},
		{"probe on plain init container", func(s *v1.PodSpec) {
			s.InitContainers[0].ReadinessProbe = s.Containers[0].ReadinessProbe.DeepCopy()
		}, "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"},
		{"sidecar may have probes", func(s *v1.PodSpec) {
			always := v1.ContainerRestartPolicyAlways
			s.InitContainers[0].RestartPolicy = &always
			s.InitContainers[0].ReadinessProbe = &v1.Probe{ProbeHandler: v1.ProbeHandler{Exec: &v1.ExecAction{Command: []string{"true"}}}, SuccessThreshold: 1}
		}, ""},
		{"bad nodeName", func(s *v1.PodSpec) { s.NodeName = "Node_1" },
			`spec.nodeName: Invalid value: "Node_1"`},
		{"bad hostname", func(s *v1.PodSpec) { s.Hostname = "a.b" },
			`spec.hostname: Invalid value: "a.b"`},
		{"bad toleration operator", func(s *v1.PodSpec) {
			s.Tolerations = []v1.Toleration{{Key: "k", Operator: "Maybe"}}
		}, `spec.tolerations[0].operator: Unsupported value: "Maybe": supported values: "Equal", "Exists"`},
		{"bad toleration effect", func(s *v1.PodSpec) {
			s.Tolerations = []v1.Toleration{{Key: "k", Operator: v1.TolerationOpExists, Effect: "Evict"}}
		}, `spec.tolerations[0].effect: Unsupported value: "Evict"`},
		{"toleration seconds without NoExecute", func(s *v1.PodSpec) {
			secs := int64(5)
			s.Tolerations = []v1.Toleration{{Key: "k", Operator: v1.TolerationOpExists, Effect: v1.TaintEffectNoSchedule, TolerationSeconds: &secs}}
		}, "effect must be 'NoExecute' when `tolerationSeconds` is set"},
		{"empty key needs Exists", func(s *v1.PodSpec) {
			s.Tolerations = []v1.Toleration{{Operator: v1.TolerationOpEqual}}
		}, "operator must be Exists when `key` is empty"},
		{"node affinity without terms", func(s *v1.PodSpec) {
			s.Affinity = &v1.Affinity{NodeAffinity: &v1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &v1.NodeSelector{}}}
		}, "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term"},
		{"node affinity In without values", func(s *v1.PodSpec) {
			s.Affinity = &v1.Affinity{NodeAffinity: &v1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &v1.NodeSelector{
				NodeSelectorTerms: []v1.NodeSelectorTerm{{MatchExpressions: []v1.NodeSelectorRequirement{{Key: "zone", Operator: v1.NodeSelectorOpIn}}}}}}}
		}, "nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"},
		{"pod anti-affinity without topologyKey", func(s *v1.PodSpec) {
			s.Affinity = &v1.Affinity{PodAntiAffinity: &v1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []v1.PodAffinityTerm{{
				LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}}}}
		}, "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty"},
		{"preferred weight out of range", func(s *v1.PodSpec) {
			s.Affinity = &v1.Affinity{PodAffinity: &v1.PodAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []v1.WeightedPodAffinityTerm{{
				Weight: 101, PodAffinityTerm: v1.PodAffinityTerm{TopologyKey: "zone"}}}}}
		}, "spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 101: must be in the range 1-100"},
		{"negative runAsUser", func(s *v1.PodSpec) {
			uid := int64(-1)
			s.SecurityContext.RunAsUser = &uid
		}, "spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive"},
		{"negative container runAsGroup", func(s *v1.PodSpec) {
			gid := int64(-5)
			s.Containers[0].SecurityContext = &v1.SecurityContext{RunAsGroup: &gid}
		}, "spec.containers[0].securityContext.runAsGroup: Invalid value: -5"},
		{"privileged without escalation", func(s *v1.PodSpec) {
			t, f := true, false
			s.Containers[0].SecurityContext = &v1.SecurityContext{Privileged: &t, AllowPrivilegeEscalation: &f}
		}, "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"},
		{"negative grace period", func(s *v1.PodSpec) {
			g := int64(-1)
			s.TerminationGracePeriodSeconds = &g
		}, "spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0"},
		{"zero activeDeadlineSeconds", func(s *v1.PodSpec) {
			d := int64(0)
			s.ActiveDeadlineSeconds = &d
		}, "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"},
		{"hostNetwork port mismatch", func(s *v1.PodSpec) {
			s.HostNetwork = true
			s.Containers[0].Ports[0].HostPort = 8080
		}, "spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true"},
		{"bad imagePullPolicy", func(s *v1.PodSpec) { s.Containers[0].ImagePullPolicy = "Sometimes" },
			`spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"`},
		{"bad node selector label", func(s *v1.PodSpec) { s.NodeSelector = map[string]string{"bad key": "x"} },
			`spec.nodeSelector: Invalid value: "bad key"`},
		{"topology spread maxSkew", func(s *v1.PodSpec) {
			s.TopologySpreadConstraints = []v1.TopologySpreadConstraint{{MaxSkew: 0, TopologyKey: "zone", WhenUnsatisfiable: v1.DoNotSchedule}}
		}, "spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero"},
		{"envFrom without source", func(s *v1.PodSpec) { s.Containers[0].EnvFrom = []v1.EnvFromSource{{}} },
			"spec.containers[0].envFrom[0]: Invalid value: \"\": must specify one of: `configMapRef` or `secretRef`"},
		{"subPath escapes", func(s *v1.PodSpec) { s.Containers[0].VolumeMounts[0].SubPath = "../etc" },
			`spec.containers[0].volumeMounts[0].subPath: Invalid value: "../etc": must not contain '..'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := validSpec()
			tt.mutate(&spec)
			got := errorString(ValidatePodSpec(&spec, field.NewPath("spec")))
			if tt.want == "" {
				if got != "" {
					t.Fatalf("want no errors, got:\n%s", got)
				}
				return
			}
			if !strings.Contains(got, tt.want) {
				t.Fatalf("want an error containing\n  %s\ngot:\n%s", tt.want, got)
			}
		})
	}
}

func TestValidatePodTemplateSpec(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*v1.PodTemplateSpec)
		want   string
	}{
		{"valid", func(*v1.PodTemplateSpec) {}, ""},
		{"bad label", func(tp *v1.PodTemplateSpec) { tp.Labels["app"] = "bad value" },
			`spec.template.labels: Invalid value: "bad value"`},
		{"bad restartPolicy", func(tp *v1.PodTemplateSpec) { tp.Spec.RestartPolicy = "Sometimes" },
			`spec.template.spec.restartPolicy: Unsupported value: "Sometimes"`},
		{"no containers", func(tp *v1.PodTemplateSpec) { tp.Spec.Containers = nil },
			"spec.template.spec.containers: Required value"},
		{"ephemeral containers", func(tp *v1.PodTemplateSpec) {
			tp.Spec.EphemeralContainers = []v1.EphemeralContainer{{EphemeralContainerCommon: v1.EphemeralContainerCommon{
				Name: "debug", Image: "busybox", ImagePullPolicy: v1.PullIfNotPresent, TerminationMessagePolicy: v1.TerminationMessageReadFile}}}
		}, "spec.template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := v1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec:       validSpec(),
			}
			tt.mutate(&tmpl)
			got := errorString(ValidatePodTemplateSpec(&tmpl, field.NewPath("spec", "template")))
			if tt.want == "" {
				if got != "" {
					t.Fatalf("want no errors, got:\n%s", got)
				}
				return
			}
			if !strings.Contains(got, tt.want) {
				t.Fatalf("want an error containing\n  %s\ngot:\n%s", tt.want, got)
			}
		})
	}
}
