package plugins

import (
	"context"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/utils/ptr"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

func TestPodSecurity(t *testing.T) {
	ns := func(name string, labels map[string]string) *corev1.Namespace {
		return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	}
	namespaces := corelisters.NewNamespaceLister(indexer(t,
		ns("open", nil),
		ns("baseline", map[string]string{"pod-security.kubernetes.io/enforce": "baseline"}),
		ns("warned", map[string]string{"pod-security.kubernetes.io/warn": "restricted"}),
		ns("strict", map[string]string{"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest"}),
	))
	plugin, err := NewPodSecurity(namespaces, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	privileged := func(ns string) *corev1.Pod {
		p := pod(ns, "priv")
		p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: ptr.To(true)}
		return p
	}
	plain := func(ns string) *corev1.Pod { return pod(ns, "plain") }
	deployment := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "baseline", Name: "web"},
		Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: privileged("baseline").Spec}}}

	tests := []struct {
		name     string
		a        *admission.Attributes
		want     string
		warnings []string // prefixes
	}{
		{name: "privileged namespace", a: createPod(privileged("open"))},
		{name: "baseline refuses privileged", a: createPod(privileged("baseline")),
			want: `pods "priv" is forbidden: violates PodSecurity "baseline:latest": privileged (container "c0" must not set securityContext.privileged=true)`},
		{name: "baseline admits plain", a: createPod(plain("baseline"))},
		{name: "restricted warns", a: createPod(plain("warned")),
			warnings: []string{`would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false`}},
		{name: "restricted enforced", a: createPod(plain("strict")),
			want: `pods "plain" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "c0" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c0" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c0" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c0" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`},
		{name: "workload only warns", a: attrs(admission.Create, appsv1.SchemeGroupVersion.WithResource("deployments"), "Deployment", deployment, nil),
			warnings: []string{`would violate PodSecurity "baseline:latest": privileged`}},
		{name: "status updates are not checked", a: func() *admission.Attributes {
			a := attrs(admission.Update, podGVR, "Pod", privileged("baseline"), privileged("baseline"))
			a.Subresource = "status"
			return a
		}()},
		{name: "deletes are not checked", a: attrs(admission.Delete, podGVR, "Pod", nil, privileged("baseline"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := plugin.Validate(context.Background(), tt.a)
			expect(t, err, tt.want)
			if err != nil && !apierrors.IsForbidden(err) {
				t.Errorf("not a 403: %#v", err)
			}
			got := tt.a.Warnings()
			if len(got) != len(tt.warnings) {
				t.Fatalf("warnings %q, want %q", got, tt.warnings)
			}
			for i, w := range tt.warnings {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("warning %q, want prefix %q", got[i], w)
				}
			}
		})
	}
}

// TestPodSecurityNamespaceLabels: invalid levels are refused, and raising
// a namespace's enforce level warns about pods that would now be refused.
func TestPodSecurityNamespaceLabels(t *testing.T) {
	running := pod("apps", "priv")
	running.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: ptr.To(true)}
	plugin, err := NewPodSecurity(nil, nil, corelisters.NewPodLister(indexer(t, running)), nil)
	if err != nil {
		t.Fatal(err)
	}
	gvr := corev1.SchemeGroupVersion.WithResource("namespaces")
	old := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "apps"}}
	raised := old.DeepCopy()
	raised.Labels = map[string]string{"pod-security.kubernetes.io/enforce": "baseline"}
	a := attrs(admission.Update, gvr, "Namespace", raised, old)
	if err := plugin.Validate(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if w := a.Warnings(); len(w) == 0 || !strings.Contains(strings.Join(w, "\n"), `existing pods in namespace "apps" violate the new PodSecurity enforce level "baseline:latest"`) {
		t.Errorf("warnings %q", w)
	}
	bad := old.DeepCopy()
	bad.Labels = map[string]string{"pod-security.kubernetes.io/enforce": "strictest"}
	err = plugin.Validate(context.Background(), attrs(admission.Create, gvr, "Namespace", bad, nil))
	if !apierrors.IsInvalid(err) {
		t.Errorf("invalid level: %v", err)
	}
}
