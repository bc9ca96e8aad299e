package staticpod

import v1 "k8s.io/api/core/v1"

// Annotations upstream's kubelet puts on static and mirror pods.
const (
	// ConfigSourceAnnotation says where a pod came from: "file" here,
	// "api" for pods from the API server.
	ConfigSourceAnnotation = "kubernetes.io/config.source"
	// ConfigHashAnnotation carries a static pod's UID (its content hash).
	ConfigHashAnnotation = "kubernetes.io/config.hash"
	// ConfigSeenAnnotation is when this version of the manifest was first read.
	ConfigSeenAnnotation = "kubernetes.io/config.seen"
	// ConfigMirrorAnnotation marks a mirror pod, with its static pod's hash.
	ConfigMirrorAnnotation = v1.MirrorPodAnnotationKey

	sourceFile = "file"
)

// IsMirror reports whether pod is a mirror pod.
func IsMirror(pod *v1.Pod) bool {
	_, ok := pod.Annotations[ConfigMirrorAnnotation]
	return ok
}

// IsStatic reports whether pod came from a manifest file.
func IsStatic(pod *v1.Pod) bool {
	return pod.Annotations[ConfigSourceAnnotation] == sourceFile
}

// MirrorHash is the hash a mirror pod was made from: the UID of its static
// pod. Empty for other pods.
func MirrorHash(pod *v1.Pod) string {
	return pod.Annotations[ConfigMirrorAnnotation]
}
