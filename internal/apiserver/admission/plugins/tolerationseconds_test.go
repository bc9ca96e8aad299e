package plugins

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

func TestDefaultTolerationSeconds(t *testing.T) {
	notReady := noExecuteToleration(corev1.TaintNodeNotReady, 300)
	unreachable := noExecuteToleration(corev1.TaintNodeUnreachable, 300)
	own := corev1.Toleration{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists,
		Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](60)}
	everything := corev1.Toleration{Operator: corev1.TolerationOpExists}
	noSchedule := corev1.Toleration{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}
	tests := []struct {
		name string
		have []corev1.Toleration
		want []corev1.Toleration
	}{
		{"none", nil, []corev1.Toleration{notReady, unreachable}},
		{"own not-ready kept", []corev1.Toleration{own}, []corev1.Toleration{own, unreachable}},
		{"tolerates everything", []corev1.Toleration{everything}, []corev1.Toleration{everything}},
		{"NoSchedule is not NoExecute", []corev1.Toleration{noSchedule}, []corev1.Toleration{noSchedule, notReady, unreachable}},
		{"both present", []corev1.Toleration{notReady, unreachable}, []corev1.Toleration{notReady, unreachable}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := pod("ns", "p")
			p.Spec.Tolerations = tt.have
			if err := (&DefaultTolerationSeconds{}).Admit(context.Background(), createPod(p)); err != nil {
				t.Fatal(err)
			}
			if len(p.Spec.Tolerations) != len(tt.want) {
				t.Fatalf("got %+v", p.Spec.Tolerations)
			}
			for i := range tt.want {
				g, w := p.Spec.Tolerations[i], tt.want[i]
				if g.Key != w.Key || g.Effect != w.Effect || g.Operator != w.Operator || ptr.Deref(g.TolerationSeconds, -1) != ptr.Deref(w.TolerationSeconds, -1) {
					t.Errorf("toleration %d: got %+v, want %+v", i, g, w)
				}
			}
		})
	}
	// Subresources and deletes are left alone.
	p := pod("ns", "p")
	a := createPod(p)
	a.Subresource = "status"
	_ = (&DefaultTolerationSeconds{}).Admit(context.Background(), a)
	a = attrs(admission.Delete, podGVR, "Pod", nil, p)
	_ = (&DefaultTolerationSeconds{}).Admit(context.Background(), a)
	if len(p.Spec.Tolerations) != 0 {
		t.Errorf("changed a subresource write: %+v", p.Spec.Tolerations)
	}
}
