package plugins

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	corelisters "k8s.io/client-go/listers/core/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

func limitRange(ns string, items ...corev1.LimitRangeItem) *corev1.LimitRange {
	return &corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "limits"}, Spec: corev1.LimitRangeSpec{Limits: items}}
}

func TestLimitRangerDefaults(t *testing.T) {
	lr := limitRange("ns", corev1.LimitRangeItem{Type: corev1.LimitTypeContainer,
		Default: list("cpu", "500m", "memory", "256Mi"), DefaultRequest: list("cpu", "100m", "memory", "128Mi")})
	plugin := &LimitRanger{LimitRanges: corelisters.NewLimitRangeLister(indexer(t, lr))}
	tests := []struct {
		name       string
		resources  corev1.ResourceRequirements
		wantReq    corev1.ResourceList
		wantLim    corev1.ResourceList
		annotation string
	}{
		{"nothing set", corev1.ResourceRequirements{},
			list("cpu", "100m", "memory", "128Mi"), list("cpu", "500m", "memory", "256Mi"),
			"LimitRanger plugin set: cpu, memory request for container c0; cpu, memory limit for container c0"},
		{"own cpu kept", reqs(list("cpu", "200m"), list("cpu", "1")),
			list("cpu", "200m", "memory", "128Mi"), list("cpu", "1", "memory", "256Mi"),
			"LimitRanger plugin set: memory request for container c0; memory limit for container c0"},
		{"everything set", reqs(list("cpu", "1", "memory", "1Gi"), list("cpu", "1", "memory", "1Gi")),
			list("cpu", "1", "memory", "1Gi"), list("cpu", "1", "memory", "1Gi"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := pod("ns", "p", tt.resources)
			if err := plugin.Admit(context.Background(), createPod(p)); err != nil {
				t.Fatal(err)
			}
			r := p.Spec.Containers[0].Resources
			if !equalLists(r.Requests, tt.wantReq) || !equalLists(r.Limits, tt.wantLim) {
				t.Errorf("requests %v limits %v", r.Requests, r.Limits)
			}
			if got := p.Annotations[limitRangerAnnotation]; got != tt.annotation {
				t.Errorf("annotation %q, want %q", got, tt.annotation)
			}
		})
	}
}

func equalLists(a, b corev1.ResourceList) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || v.Cmp(w) != 0 {
			return false
		}
	}
	return true
}

func TestLimitRangerValidate(t *testing.T) {
	container := corev1.LimitRangeItem{Type: corev1.LimitTypeContainer,
		Min: list("cpu", "100m"), Max: list("cpu", "1", "memory", "1Gi"), MaxLimitRequestRatio: list("cpu", "4")}
	podItem := corev1.LimitRangeItem{Type: corev1.LimitTypePod, Max: list("memory", "1Gi")}
	claim := corev1.LimitRangeItem{Type: corev1.LimitTypePersistentVolumeClaim, Min: list("storage", "1Gi"), Max: list("storage", "10Gi")}
	plugin := &LimitRanger{LimitRanges: corelisters.NewLimitRangeLister(indexer(t, limitRange("ns", container, podItem, claim)))}
	pvc := func(size string) *corev1.PersistentVolumeClaim {
		c := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "data"}}
		if size != "" {
			c.Spec.Resources.Requests = list("storage", size)
		}
		return c
	}
	claimGVR := corev1.SchemeGroupVersion.WithResource("persistentvolumeclaims")
	tests := []struct {
		name string
		a    *admission.Attributes
		want string
	}{
		{"within", createPod(pod("ns", "p", reqs(list("cpu", "250m", "memory", "256Mi"), list("cpu", "1", "memory", "512Mi")))), ""},
		{"cpu limit over max", createPod(pod("ns", "p", reqs(list("cpu", "500m", "memory", "256Mi"), list("cpu", "2", "memory", "256Mi")))),
			`pods "p" is forbidden: maximum cpu usage per Container is 1, but limit is 2`},
		{"request under min", createPod(pod("ns", "p", reqs(list("cpu", "50m", "memory", "256Mi"), list("cpu", "100m", "memory", "256Mi")))),
			`pods "p" is forbidden: minimum cpu usage per Container is 100m, but request is 50m`},
		{"no limit", createPod(pod("ns", "p", reqs(list("cpu", "250m"), nil))),
			`pods "p" is forbidden: [maximum cpu usage per Container is 1.  No limit is specified, maximum memory usage per Container is 1Gi.  No limit is specified, cpu max limit to request ratio per Container is 4, but no limit is specified or limit is 0, maximum memory usage per Pod is 1Gi.  No limit is specified]`},
		{"ratio", createPod(pod("ns", "p", reqs(list("cpu", "200m", "memory", "256Mi"), list("cpu", "1", "memory", "256Mi")))),
			`pods "p" is forbidden: cpu max limit to request ratio per Container is 4, but provided ratio is 5.000000`},
		{"pod total over max", createPod(pod("ns", "p",
			reqs(list("cpu", "250m", "memory", "256Mi"), list("cpu", "1", "memory", "768Mi")),
			reqs(list("cpu", "250m", "memory", "256Mi"), list("cpu", "1", "memory", "768Mi")))),
			`pods "p" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1536Mi`},
		{"claim within", attrs(admission.Create, claimGVR, "PersistentVolumeClaim", pvc("5Gi"), nil), ""},
		{"claim too large", attrs(admission.Create, claimGVR, "PersistentVolumeClaim", pvc("20Gi"), nil),
			`persistentvolumeclaims "data" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi`},
		{"claim without request", attrs(admission.Create, claimGVR, "PersistentVolumeClaim", pvc(""), nil),
			`persistentvolumeclaims "data" is forbidden: [minimum storage usage per PersistentVolumeClaim is 1Gi.  No request is specified, maximum storage usage per PersistentVolumeClaim is 10Gi.  No request is specified]`},
		{"pod update is not checked", attrs(admission.Update, podGVR, "Pod", pod("ns", "p", reqs(list("cpu", "5"), nil)), pod("ns", "p")), ""},
		{"other namespace", createPod(pod("free", "p", reqs(list("cpu", "5"), nil))), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, plugin.Validate(context.Background(), tt.a), tt.want)
		})
	}
}

// TestLimitRangerLiveLookup: a LimitRange the lister has not seen yet is
// found by listing live, and that answer is reused.
func TestLimitRangerLiveLookup(t *testing.T) {
	client := fake.NewClientset(limitRange("ns", corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, DefaultRequest: list("cpu", "100m")}))
	plugin := &LimitRanger{LimitRanges: corelisters.NewLimitRangeLister(indexer(t)), Client: client.CoreV1()}
	for i := 0; i < 3; i++ {
		p := pod("ns", "p")
		if err := plugin.Admit(context.Background(), createPod(p)); err != nil {
			t.Fatal(err)
		}
		if q := p.Spec.Containers[0].Resources.Requests["cpu"]; q.String() != "100m" {
			t.Fatalf("request %v", p.Spec.Containers[0].Resources.Requests)
		}
	}
	lists := 0
	for _, a := range client.Actions() {
		if a.GetVerb() == "list" {
			lists++
		}
	}
	if lists != 1 {
		t.Errorf("%d live lists, want 1", lists)
	}
}
