package kubeletproxy

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// ContainerFor is the container a log, exec or attach request addresses:
// the one named, which must be one of the pod's (init, app or ephemeral),
// or the pod's only app container. As upstream, the API server does not
// read the kubectl.kubernetes.io/default-container annotation: kubectl
// does, and names the container it picks.
func ContainerFor(pod *corev1.Pod, name string) (string, error) {
	all := containerNames(pod)
	if name != "" {
		for _, n := range all {
			if n == name {
				return name, nil
			}
		}
		return "", apierrors.NewBadRequest(fmt.Sprintf("container %s is not valid for pod %s", name, pod.Name))
	}
	switch len(pod.Spec.Containers) {
	case 1:
		return pod.Spec.Containers[0].Name, nil
	case 0:
		return "", apierrors.NewBadRequest(fmt.Sprintf("a container name must be specified for pod %s", pod.Name))
	}
	return "", apierrors.NewBadRequest(fmt.Sprintf("a container name must be specified for pod %s, choose one of: %s", pod.Name, all))
}

// containerNames lists init, app and ephemeral containers, in that order.
func containerNames(pod *corev1.Pod) []string {
	var names []string
	for _, c := range pod.Spec.InitContainers {
		names = append(names, c.Name)
	}
	for _, c := range pod.Spec.Containers {
		names = append(names, c.Name)
	}
	for _, c := range pod.Spec.EphemeralContainers {
		names = append(names, c.Name)
	}
	return names
}
