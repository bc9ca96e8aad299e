package networking

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// meta is the ObjectMeta of a namespaced test object.
func meta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: "default", UID: "0c1d2e3f-0000-4000-8000-000000000001", ResourceVersion: "1"}
}

// metaCluster is the ObjectMeta of a cluster-scoped test object.
func metaCluster(name string) metav1.ObjectMeta {
	m := meta(name)
	m.Namespace = ""
	return m
}
