package kubelet

import (
	"reflect"
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func TestContainerResources(t *testing.T) {
	const gi = int64(1 << 30)
	cases := []struct {
		name               string
		req, lim           v1.ResourceList
		shares, quota, mem int64
		oom                int64
	}{
		{"best effort", nil, nil, 2, 0, 0, 1000},
		{"guaranteed", v1.ResourceList{"cpu": mustQ("250m"), "memory": mustQ("1Gi")}, v1.ResourceList{"cpu": mustQ("250m"), "memory": mustQ("1Gi")},
			256, 25000, gi, -997},
		{"burstable half the node", v1.ResourceList{"cpu": mustQ("1"), "memory": mustQ("2Gi")}, v1.ResourceList{"memory": mustQ("3Gi")},
			1024, 0, 3 * gi, 500},
		{"tiny cpu request floors at 2 shares", v1.ResourceList{"cpu": mustQ("1m")}, nil, 2, 0, 0, 999},
		{"cpu limit only sets request", nil, v1.ResourceList{"cpu": mustQ("2")}, 2048, 200000, 0, 999},
		{"burstable almost all memory floors at 3", v1.ResourceList{"memory": mustQ("4Gi")}, nil, 2, 0, 0, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := &v1.Pod{}
			p.Spec.Containers = []v1.Container{{Name: "c", Resources: v1.ResourceRequirements{Requests: tc.req, Limits: tc.lim}}}
			r := containerResources(p, &p.Spec.Containers[0], 4*gi, false)
			if r.CpuShares != tc.shares || r.CpuQuota != tc.quota || r.MemoryLimitInBytes != tc.mem || r.OomScoreAdj != tc.oom {
				t.Errorf("got shares %d quota %d mem %d oom %d", r.CpuShares, r.CpuQuota, r.MemoryLimitInBytes, r.OomScoreAdj)
			}
			if tc.quota > 0 && r.CpuPeriod != 100000 {
				t.Errorf("period %d", r.CpuPeriod)
			}
		})
	}
}

func TestCgroupParent(t *testing.T) {
	p := &v1.Pod{}
	p.UID = "u1"
	p.Spec.Containers = []v1.Container{{Name: "c"}}
	if got := podCgroupParent("/hanok/n1", p); got != "/hanok/n1/kubepods/besteffort/podu1" {
		t.Errorf("besteffort: %s", got)
	}
	p.Spec.Containers[0].Resources.Requests = v1.ResourceList{"cpu": mustQ("1")}
	if got := podCgroupParent("/hanok/n1", p); got != "/hanok/n1/kubepods/burstable/podu1" {
		t.Errorf("burstable: %s", got)
	}
	p.Spec.Containers[0].Resources.Limits = v1.ResourceList{"cpu": mustQ("1"), "memory": mustQ("1Gi")}
	p.Spec.Containers[0].Resources.Requests = nil
	if got := podCgroupParent("/hanok/n1", p); got != "/hanok/n1/kubepods/podu1" {
		t.Errorf("guaranteed: %s", got)
	}
}

func TestBuildSandboxConfig(t *testing.T) {
	uid, gid, fs := int64(1000), int64(2000), int64(3000)
	share := true
	p := &v1.Pod{}
	p.Name, p.Namespace, p.UID = "web-0", "prod", "u1"
	p.Labels = map[string]string{"app": "web"}
	p.Annotations = map[string]string{"note": "x"}
	p.Spec.Hostname, p.Spec.Subdomain = "web-0", "web"
	p.Spec.ShareProcessNamespace = &share
	p.Spec.SecurityContext = &v1.PodSecurityContext{RunAsUser: &uid, RunAsGroup: &gid, FSGroup: &fs, SupplementalGroups: []int64{5},
		Sysctls:        []v1.Sysctl{{Name: "net.core.somaxconn", Value: "1024"}},
		SeccompProfile: &v1.SeccompProfile{Type: v1.SeccompProfileTypeRuntimeDefault}}
	p.Spec.Containers = []v1.Container{{Name: "c", Ports: []v1.ContainerPort{{ContainerPort: 80, HostPort: 8080}, {ContainerPort: 53, Protocol: v1.ProtocolUDP}}}}
	cfg := buildSandboxConfig(p, 2, sandboxEnv{NodeHostname: "node", PodLogsDir: "/logs", CgroupRoot: "/hanok/n1"}, "cluster.local")

	if m := cfg.Metadata; m.Name != "web-0" || m.Namespace != "prod" || m.Uid != "u1" || m.Attempt != 2 {
		t.Errorf("metadata %+v", m)
	}
	if cfg.Hostname != "web-0" || cfg.LogDirectory != "/logs/prod_web-0_u1" {
		t.Errorf("hostname %q logdir %q", cfg.Hostname, cfg.LogDirectory)
	}
	if cfg.Labels["app"] != "web" || cfg.Labels[labelPodUID] != "u1" || cfg.Labels[labelPodNamespace] != "prod" || cfg.Annotations["note"] != "x" {
		t.Errorf("labels %v annotations %v", cfg.Labels, cfg.Annotations)
	}
	if len(cfg.PortMappings) != 1 || cfg.PortMappings[0].HostPort != 8080 || cfg.PortMappings[0].Protocol != runtimeapi.Protocol_TCP {
		t.Errorf("ports %v", cfg.PortMappings)
	}
	l := cfg.Linux
	if l.CgroupParent != "/hanok/n1/kubepods/besteffort/podu1" || l.Sysctls["net.core.somaxconn"] != "1024" {
		t.Errorf("linux %+v", l)
	}
	sc := l.SecurityContext
	if sc.RunAsUser.GetValue() != 1000 || sc.RunAsGroup.GetValue() != 2000 || !reflect.DeepEqual(sc.SupplementalGroups, []int64{5, 3000}) {
		t.Errorf("security %+v", sc)
	}
	if sc.NamespaceOptions.Pid != runtimeapi.NamespaceMode_POD || sc.NamespaceOptions.Network != runtimeapi.NamespaceMode_POD {
		t.Errorf("namespaces %+v", sc.NamespaceOptions)
	}
	if sc.Seccomp.ProfileType != runtimeapi.SecurityProfile_RuntimeDefault {
		t.Errorf("seccomp %+v", sc.Seccomp)
	}

	p.Spec.HostNetwork = true
	cfg = buildSandboxConfig(p, 0, sandboxEnv{NodeHostname: "node"}, "cluster.local")
	if cfg.Hostname != "node" || cfg.Linux.SecurityContext.NamespaceOptions.Network != runtimeapi.NamespaceMode_NODE {
		t.Errorf("host network: %q %+v", cfg.Hostname, cfg.Linux.SecurityContext.NamespaceOptions)
	}
}

func TestContainerSecurityContext(t *testing.T) {
	podUser, cUser := int64(1000), int64(0)
	f, tr := false, true
	p := &v1.Pod{}
	p.Spec.SecurityContext = &v1.PodSecurityContext{RunAsUser: &podUser}
	c := &v1.Container{Name: "c", SecurityContext: &v1.SecurityContext{
		RunAsUser: &cUser, AllowPrivilegeEscalation: &f, ReadOnlyRootFilesystem: &tr,
		Capabilities:   &v1.Capabilities{Add: []v1.Capability{"NET_ADMIN"}, Drop: []v1.Capability{"ALL"}},
		SeccompProfile: &v1.SeccompProfile{Type: v1.SeccompProfileTypeLocalhost, LocalhostProfile: strPtr("prof.json")},
	}}
	sc := containerSecurityContext(p, c, "/var/lib/kubelet/seccomp")
	if sc.RunAsUser.GetValue() != 0 || !sc.NoNewPrivs || !sc.ReadonlyRootfs || sc.Privileged {
		t.Errorf("sc %+v", sc)
	}
	if !reflect.DeepEqual(sc.Capabilities.AddCapabilities, []string{"NET_ADMIN"}) || !reflect.DeepEqual(sc.Capabilities.DropCapabilities, []string{"ALL"}) {
		t.Errorf("caps %+v", sc.Capabilities)
	}
	if sc.Seccomp.ProfileType != runtimeapi.SecurityProfile_Localhost || sc.Seccomp.LocalhostRef != "/var/lib/kubelet/seccomp/prof.json" {
		t.Errorf("seccomp %+v", sc.Seccomp)
	}
	if len(sc.MaskedPaths) == 0 || len(sc.ReadonlyPaths) == 0 {
		t.Error("masked paths missing for an unprivileged container")
	}
	c.SecurityContext.Privileged = &tr
	if sc := containerSecurityContext(p, c, ""); len(sc.MaskedPaths) != 0 || !sc.Privileged {
		t.Error("privileged container must not get masked paths")
	}
	if sc := containerSecurityContext(&v1.Pod{}, &v1.Container{}, ""); sc.Seccomp.ProfileType != runtimeapi.SecurityProfile_Unconfined {
		t.Errorf("default seccomp %+v", sc.Seccomp)
	}
}

func TestVerifyRunAsNonRoot(t *testing.T) {
	tr := true
	zero, thousand := int64(0), int64(1000)
	pod := func(user *int64) *v1.Pod {
		p := &v1.Pod{}
		p.Spec.SecurityContext = &v1.PodSecurityContext{RunAsNonRoot: &tr, RunAsUser: user}
		return p
	}
	c := &v1.Container{Name: "c"}
	if err := verifyRunAsNonRoot(pod(&zero), c, nil, ""); err == nil {
		t.Error("runAsUser 0 accepted")
	}
	if err := verifyRunAsNonRoot(pod(&thousand), c, &zero, ""); err != nil {
		t.Errorf("runAsUser 1000: %v", err)
	}
	if err := verifyRunAsNonRoot(pod(nil), c, &zero, ""); err == nil {
		t.Error("root image accepted")
	}
	if err := verifyRunAsNonRoot(pod(nil), c, nil, "nobody"); err == nil {
		t.Error("non-numeric image user accepted")
	}
	if err := verifyRunAsNonRoot(pod(nil), c, &thousand, ""); err != nil {
		t.Errorf("image user 1000: %v", err)
	}
}

func TestBuildContainerConfig(t *testing.T) {
	p := &v1.Pod{}
	p.Name, p.Namespace, p.UID = "web", "prod", "u1"
	grace := int64(45)
	p.Spec.TerminationGracePeriodSeconds = &grace
	c := &v1.Container{Name: "app", Image: "busybox:1.36", Command: []string{"sh", "-c"}, Args: []string{"echo $(GREETING) $(NOPE)"},
		WorkingDir: "/work", TerminationMessagePath: "/dev/termination-log"}
	cfg := buildContainerConfig(containerInput{Pod: p, Container: c, RestartCount: 3, ImageRef: "sha256:abc",
		Env: []envVar{{"GREETING", "hi"}}})
	if cfg.Metadata.Name != "app" || cfg.Metadata.Attempt != 3 || cfg.LogPath != "app/3.log" {
		t.Errorf("metadata %+v log %q", cfg.Metadata, cfg.LogPath)
	}
	if !reflect.DeepEqual(cfg.Args, []string{"echo hi $(NOPE)"}) || cfg.WorkingDir != "/work" {
		t.Errorf("args %v", cfg.Args)
	}
	if cfg.Image.Image != "sha256:abc" || cfg.Image.UserSpecifiedImage != "busybox:1.36" {
		t.Errorf("image %+v", cfg.Image)
	}
	if cfg.Labels[labelContainerName] != "app" || cfg.Labels[labelPodUID] != "u1" {
		t.Errorf("labels %v", cfg.Labels)
	}
	a := cfg.Annotations
	if a[annotationRestartCount] != "3" || a[annotationGracePeriod] != "45" || a[annotationContainerHash] != hashContainer(c) {
		t.Errorf("annotations %v", a)
	}
	if len(cfg.Envs) != 1 || cfg.Envs[0].Key != "GREETING" || string(cfg.Envs[0].Value) != "hi" {
		t.Errorf("envs %v", cfg.Envs)
	}
}

func TestHostsFile(t *testing.T) {
	p := &v1.Pod{}
	p.Spec.HostAliases = []v1.HostAlias{{IP: "1.2.3.4", Hostnames: []string{"foo", "bar"}}}
	got := hostsFile(p, []string{"10.0.0.5"}, "web-0", "web-0.web.prod.svc.cluster.local")
	for _, want := range []string{"127.0.0.1\tlocalhost\n", "10.0.0.5\tweb-0.web.prod.svc.cluster.local\tweb-0\n", "1.2.3.4\tfoo\tbar\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("hosts file lacks %q:\n%s", want, got)
		}
	}
}

func TestPullCredentials(t *testing.T) {
	secret := func(key, user string) *v1.Secret {
		return &v1.Secret{Type: v1.SecretTypeDockerConfigJson, Data: map[string][]byte{
			v1.DockerConfigJsonKey: []byte(`{"auths":{"` + key + `":{"username":"` + user + `","password":"pw"}}}`)}}
	}
	legacy := &v1.Secret{Type: v1.SecretTypeDockercfg, Data: map[string][]byte{
		v1.DockerConfigKey: []byte(`{"https://index.docker.io/v1/":{"auth":"aHViOmh1YnB3"}}`)}}
	secrets := []*v1.Secret{secret("registry.example:5000", "a"), secret("registry.example:5000/team", "b"), legacy,
		{Type: v1.SecretTypeOpaque}}

	cases := []struct {
		image string
		users []string
	}{
		{"registry.example:5000/team/app:1", []string{"b", "a"}},
		{"registry.example:5000/other/app", []string{"a"}},
		{"busybox", []string{"hub"}},
		{"docker.io/library/busybox:1.36", []string{"hub"}},
		{"quay.io/x/y", nil},
	}
	for _, tc := range cases {
		var users []string
		for _, a := range pullCredentials(tc.image, secrets) {
			users = append(users, a.Username)
		}
		if !reflect.DeepEqual(users, tc.users) {
			t.Errorf("%s: users %v, want %v", tc.image, users, tc.users)
		}
	}
	if a := pullCredentials("busybox", secrets); len(a) != 1 || a[0].Password != "hubpw" {
		t.Errorf("auth field not decoded: %+v", a)
	}
}

func TestPullPolicy(t *testing.T) {
	cases := map[string]v1.PullPolicy{
		"busybox":                 v1.PullAlways,
		"busybox:latest":          v1.PullAlways,
		"busybox:1.36":            v1.PullIfNotPresent,
		"localhost:5000/app":      v1.PullAlways,
		"localhost:5000/app:v1":   v1.PullIfNotPresent,
		"busybox@sha256:abcdef01": v1.PullIfNotPresent,
	}
	for image, want := range cases {
		if got := pullPolicy(&v1.Container{Image: image}); got != want {
			t.Errorf("%s: %s, want %s", image, got, want)
		}
	}
	if got := pullPolicy(&v1.Container{Image: "busybox", ImagePullPolicy: v1.PullNever}); got != v1.PullNever {
		t.Errorf("explicit policy ignored: %s", got)
	}
}

func strPtr(s string) *string { return &s }
