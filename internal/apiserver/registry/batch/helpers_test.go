package batch

import (
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// meta is the ObjectMeta of a namespaced test object.
func meta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: "default", UID: "0c1d2e3f-0000-4000-8000-000000000001", ResourceVersion: "1"}
}

// podTemplate is a minimal valid run-to-completion pod template.
func podTemplate() v1.PodTemplateSpec {
	return v1.PodTemplateSpec{
		Spec: v1.PodSpec{
			RestartPolicy: v1.RestartPolicyNever,
			Containers:    []v1.Container{{Name: "pi", Image: "perl:5.34", Command: []string{"perl", "-e", "print 1"}}},
		},
	}
}
