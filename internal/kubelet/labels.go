package kubelet

import (
	"strconv"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// CRI labels and annotations, named as upstream's so tools that know
// upstream's kubelet (crictl filters, log collectors) keep working.
const (
	labelPodName       = "io.kubernetes.pod.name"
	labelPodNamespace  = "io.kubernetes.pod.namespace"
	labelPodUID        = "io.kubernetes.pod.uid"
	labelContainerName = "io.kubernetes.container.name"
	labelContainerType = "io.kubernetes.container.type"
	labelManagedBy     = "io.kubernetes.container.managed-by" // not upstream: marks what hanok created
	managedByValue     = "hanok-kubelet"

	annotationContainerHash          = "io.kubernetes.container.hash"
	annotationRestartCount           = "io.kubernetes.container.restartCount"
	annotationTerminationMessagePath = "io.kubernetes.container.terminationMessagePath"
	annotationTerminationPolicy      = "io.kubernetes.container.terminationMessagePolicy"
	annotationGracePeriod            = "io.kubernetes.pod.terminationGracePeriod"
	annotationContainerInit          = "hanok.dev/init-container" // "true" for init containers

	containerTypeInit    = "INIT"
	containerTypeRegular = "REGULAR"
	containerTypeSidecar = "SIDECAR"
)

// sandboxLabels identify a pod's sandbox; the pod's own labels come first so
// ours win a clash.
func sandboxLabels(pod *v1.Pod) map[string]string {
	l := make(map[string]string, len(pod.Labels)+4)
	for k, v := range pod.Labels {
		l[k] = v
	}
	l[labelPodName] = pod.Name
	l[labelPodNamespace] = pod.Namespace
	l[labelPodUID] = string(pod.UID)
	l[labelManagedBy] = managedByValue
	return l
}

// containerLabels identify one container of a pod.
func containerLabels(pod *v1.Pod, name, ctype string) map[string]string {
	return map[string]string{
		labelPodName:       pod.Name,
		labelPodNamespace:  pod.Namespace,
		labelPodUID:        string(pod.UID),
		labelContainerName: name,
		labelContainerType: ctype,
		labelManagedBy:     managedByValue,
	}
}

// containerAnnotations carry what a restarted kubelet needs to adopt the
// container: its spec hash and restart count.
func containerAnnotations(pod *v1.Pod, c *v1.Container, restartCount int, init bool) map[string]string {
	a := map[string]string{
		annotationContainerHash:          hashContainer(c),
		annotationRestartCount:           strconv.Itoa(restartCount),
		annotationTerminationMessagePath: c.TerminationMessagePath,
		annotationTerminationPolicy:      string(c.TerminationMessagePolicy),
	}
	if pod.Spec.TerminationGracePeriodSeconds != nil {
		a[annotationGracePeriod] = strconv.FormatInt(*pod.Spec.TerminationGracePeriodSeconds, 10)
	}
	if init {
		a[annotationContainerInit] = "true"
	}
	return a
}

// podUIDOf reads the pod UID back from CRI labels.
func podUIDOf(labels map[string]string) types.UID { return types.UID(labels[labelPodUID]) }

// restartCountOf reads the restart count annotation; 0 when absent.
func restartCountOf(annotations map[string]string) int {
	n, err := strconv.Atoi(annotations[annotationRestartCount])
	if err != nil {
		return 0
	}
	return n
}
