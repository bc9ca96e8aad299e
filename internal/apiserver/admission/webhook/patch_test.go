package webhook

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func testPod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", Labels: map[string]string{"a": "1", "b": "2"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}},
	}
}

var podKind = corev1.SchemeGroupVersion.WithKind("Pod")

func TestApplyPatch(t *testing.T) {
	tests := []struct {
		name    string
		patch   string
		changed bool
		check   func(*corev1.Pod) bool
		wantErr bool
	}{
		{"add", `[{"op":"add","path":"/metadata/labels/c","value":"3"}]`, true,
			func(p *corev1.Pod) bool { return p.Labels["c"] == "3" && p.Labels["a"] == "1" }, false},
		// Removal must really remove: decoding over the old object would
		// merge the label back.
		{"remove", `[{"op":"remove","path":"/metadata/labels/a"}]`, true,
			func(p *corev1.Pod) bool { _, ok := p.Labels["a"]; return !ok && p.Labels["b"] == "2" }, false},
		{"no-op", `[{"op":"replace","path":"/metadata/labels/a","value":"1"}]`, false, nil, false},
		{"empty", `[]`, false, nil, false},
		{"test fails", `[{"op":"test","path":"/metadata/name","value":"q"}]`, false, nil, true},
		{"not a patch", `{"metadata":{}}`, false, nil, true},
		{"wrong type", `[{"op":"replace","path":"/spec/containers","value":"x"}]`, false, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := testPod()
			changed, err := applyPatch(pod, podKind, []byte(tt.patch))
			if (err != nil) != tt.wantErr || changed != tt.changed {
				t.Fatalf("changed %v, err %v", changed, err)
			}
			if tt.check != nil && !tt.check(pod) {
				t.Errorf("pod after patch: %+v", pod.ObjectMeta)
			}
			if err != nil && pod.Labels["a"] != "1" {
				t.Errorf("a failed patch changed the pod")
			}
		})
	}
}

// FuzzApplyPatch: whatever a webhook answers, applying it never panics,
// and a failed patch leaves the object alone.
func FuzzApplyPatch(f *testing.F) {
	for _, seed := range []string{
		`[{"op":"add","path":"/metadata/labels/c","value":"3"}]`,
		`[{"op":"remove","path":"/spec"}]`,
		`[{"op":"move","from":"/metadata/labels","path":"/spec/nodeSelector"}]`,
		`[{"op":"copy","from":"/spec/containers/0","path":"/spec/containers/-"}]`,
		`[{"op":"replace","path":"/apiVersion","value":"v2"}]`,
		`[`, `null`, `[{}]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, patch []byte) {
		pod := testPod()
		if _, err := applyPatch(pod, podKind, patch); err != nil && (pod.Name != "p" || pod.Labels["a"] != "1") {
			t.Errorf("failed patch %q changed the pod", patch)
		}
	})
}
