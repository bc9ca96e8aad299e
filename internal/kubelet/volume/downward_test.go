package volume

import (
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func TestPodFieldValue(t *testing.T) {
	pod := &v1.Pod{}
	pod.Name, pod.Namespace, pod.UID = "p", "ns", "u-1"
	pod.Labels = map[string]string{"b": "2", "a": "x\"y"}
	pod.Annotations = map[string]string{"k": "v\nw"}
	pod.Spec.NodeName = "n1"
	pod.Status.PodIP = "10.0.0.5"
	pod.Status.PodIPs = []v1.PodIP{{IP: "10.0.0.5"}, {IP: "fd00::5"}}
	for path, want := range map[string]string{
		"metadata.name":             "p",
		"metadata.namespace":        "ns",
		"metadata.uid":              "u-1",
		"metadata.labels":           "a=\"x\\\"y\"\nb=\"2\"",
		"metadata.annotations":      `k="v\nw"`,
		"metadata.labels['b']":      "2",
		"metadata.annotations['k']": "v\nw",
		"metadata.labels['zz']":     "",
		"spec.nodeName":             "n1",
		"status.podIP":              "10.0.0.5",
		"status.podIPs":             "10.0.0.5,fd00::5",
	} {
		got, err := PodFieldValue(pod, path)
		if err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", path, got, err, want)
		}
	}
	if _, err := PodFieldValue(pod, "spec.bogus"); err == nil {
		t.Error("unknown field accepted")
	}
}

func TestContainerResourceValue(t *testing.T) {
	pod := &v1.Pod{}
	pod.Spec.Containers = []v1.Container{{
		Name: "c",
		Resources: v1.ResourceRequirements{
			Limits:   v1.ResourceList{v1.ResourceCPU: resource.MustParse("1500m")},
			Requests: v1.ResourceList{v1.ResourceCPU: resource.MustParse("250m"), v1.ResourceMemory: resource.MustParse("64Mi")},
		},
	}}
	alloc := v1.ResourceList{v1.ResourceMemory: resource.MustParse("2Gi"), v1.ResourceCPU: resource.MustParse("4")}
	tests := []struct {
		res, divisor, want string
	}{
		{"limits.cpu", "", "2"}, // 1.5 rounds up
		{"limits.cpu", "1m", "1500"},
		{"requests.cpu", "1m", "250"},
		{"requests.memory", "", "67108864"},
		{"requests.memory", "1Mi", "64"},
		{"limits.memory", "1Mi", "2048"}, // unset limit: node allocatable
		{"requests.ephemeral-storage", "", "0"},
	}
	for _, tt := range tests {
		ref := &v1.ResourceFieldSelector{ContainerName: "c", Resource: tt.res}
		if tt.divisor != "" {
			ref.Divisor = resource.MustParse(tt.divisor)
		}
		got, err := ContainerResourceValue(pod, ref, alloc)
		if err != nil || got != tt.want {
			t.Errorf("%s/%s = %q, %v; want %q", tt.res, tt.divisor, got, err, tt.want)
		}
	}
	if _, err := ContainerResourceValue(pod, &v1.ResourceFieldSelector{ContainerName: "x", Resource: "limits.cpu"}, nil); err == nil || !strings.Contains(err.Error(), `container "x"`) {
		t.Errorf("unknown container: %v", err)
	}
	if !needsAllocatable(pod, []v1.DownwardAPIVolumeFile{{Path: "m", ResourceFieldRef: &v1.ResourceFieldSelector{ContainerName: "c", Resource: "limits.memory"}}}) {
		t.Error("unset memory limit should need allocatable")
	}
	if needsAllocatable(pod, []v1.DownwardAPIVolumeFile{{Path: "m", ResourceFieldRef: &v1.ResourceFieldSelector{ContainerName: "c", Resource: "limits.cpu"}}}) {
		t.Error("set cpu limit should not need allocatable")
	}
}

func TestKeysToPayload(t *testing.T) {
	data := map[string][]byte{"a": []byte("1"), "b": []byte("2")}
	mode := int32(0o600)
	tests := []struct {
		name     string
		items    []v1.KeyToPath
		optional bool
		want     map[string]string
		wantErr  string
	}{
		{name: "all keys", want: map[string]string{"a": "1 644", "b": "2 644"}},
		{name: "items with mode", items: []v1.KeyToPath{{Key: "a", Path: "sub/x", Mode: &mode}}, want: map[string]string{"sub/x": "1 600"}},
		{name: "missing key", items: []v1.KeyToPath{{Key: "zz", Path: "z"}}, wantErr: `non-existent key "zz"`},
		{name: "missing key optional", items: []v1.KeyToPath{{Key: "zz", Path: "z"}, {Key: "b", Path: "b"}}, optional: true, want: map[string]string{"b": "2 644"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := keysToPayload("configmap", "ns/x", data, tt.items, 0o644, tt.optional)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v", got)
			}
			for p, w := range tt.want {
				f := got[p]
				if s := string(f.Data) + " " + strings.TrimPrefix(octal(f.Mode), "0"); s != w {
					t.Errorf("%s = %q, want %q", p, s, w)
				}
			}
		})
	}
	if _, err := configMapPayload("ns", "gone", nil, nil, 0o644, false); err == nil || !strings.Contains(err.Error(), `configmap "ns/gone" not found`) {
		t.Errorf("missing configmap: %v", err)
	}
	if p, err := secretPayload("ns", "gone", nil, nil, 0o644, true); err != nil || len(p) != 0 {
		t.Errorf("missing optional secret: %v %v", p, err)
	}
}

func octal(m int32) string {
	const digits = "01234567"
	s := ""
	for m > 0 {
		s = string(digits[m%8]) + s
		m /= 8
	}
	return s
}
