package ownedpods

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestPodFromTemplate(t *testing.T) {
	owner := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns", UID: "u1"}}
	gvk := appsv1.SchemeGroupVersion.WithKind("ReplicaSet")
	template := &corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}, Annotations: map[string]string{"a": "b"},
			Finalizers: []string{"example.com/f"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}},
	}
	pod := PodFromTemplate(template, owner, gvk)

	if pod.GenerateName != "web-" || pod.Namespace != "ns" || pod.Name != "" {
		t.Errorf("named %q/%q (generateName %q), want generateName web- in ns", pod.Namespace, pod.Name, pod.GenerateName)
	}
	if pod.Labels["app"] != "web" || pod.Annotations["a"] != "b" || len(pod.Finalizers) != 1 || len(pod.Spec.Containers) != 1 {
		t.Errorf("template not carried over: %+v", pod)
	}
	ref := metav1.GetControllerOf(pod)
	if ref == nil || ref.UID != "u1" || ref.Kind != "ReplicaSet" || ref.APIVersion != "apps/v1" || ref.Name != "web" ||
		ref.BlockOwnerDeletion == nil || !*ref.BlockOwnerDeletion {
		t.Errorf("controller ref %+v, want a blocking controller ref to apps/v1 ReplicaSet web", ref)
	}

	pod.Labels["app"] = "changed"
	pod.Spec.Containers[0].Image = "changed"
	if template.Labels["app"] != "web" || template.Spec.Containers[0].Image != "busybox" {
		t.Error("the pod must not share maps or slices with the template")
	}
}
