package rootcacert

import (
	"maps"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Upstream's names for the published ConfigMap.
const (
	ConfigMapName = "kube-root-ca.crt"
	DataKey       = "ca.crt"
	// DescriptionAnnotation says what the ConfigMap is for, as upstream.
	DescriptionAnnotation = "kubernetes.io/description"
	Description           = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."
)

// desired is what to write given the ConfigMap there is (nil: none):
// a new ConfigMap to create, a changed copy of current to update, or nil
// when current is right. Only ca.crt and the description are ours; other
// labels and annotations a user added are kept.
func desired(current *corev1.ConfigMap, ca []byte) (create, update *corev1.ConfigMap) {
	data := map[string]string{DataKey: string(ca)}
	if current == nil {
		return &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: ConfigMapName, Annotations: map[string]string{DescriptionAnnotation: Description}},
			Data:       data,
		}, nil
	}
	if maps.Equal(current.Data, data) && len(current.BinaryData) == 0 && current.Annotations[DescriptionAnnotation] != "" {
		return nil, nil
	}
	cm := current.DeepCopy()
	cm.Data = data
	cm.BinaryData = nil
	if cm.Annotations == nil {
		cm.Annotations = map[string]string{}
	}
	cm.Annotations[DescriptionAnnotation] = Description
	return nil, cm
}

// active tells whether ns may receive new content.
func active(ns *corev1.Namespace) bool {
	return ns.DeletionTimestamp == nil && ns.Status.Phase != corev1.NamespaceTerminating
}
