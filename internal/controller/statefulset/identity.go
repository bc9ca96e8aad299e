package statefulset

import (
	"fmt"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/controller/ownedpods"
)

var setKind = appsv1.SchemeGroupVersion.WithKind("StatefulSet")

// Labels a set's pods carry, as upstream.
const (
	PodNameLabel  = appsv1.StatefulSetPodNameLabel  // statefulset.kubernetes.io/pod-name
	PodIndexLabel = appsv1.PodIndexLabel            // apps.kubernetes.io/pod-index
	RevisionLabel = appsv1.StatefulSetRevisionLabel // controller-revision-hash
)

// PodName is the name of set's pod with ordinal.
func PodName(set *appsv1.StatefulSet, ordinal int) string {
	return fmt.Sprintf("%s-%d", set.Name, ordinal)
}

// Ordinal is the ordinal in pod's name if it is one of set's names, else
// -1.
func Ordinal(set *appsv1.StatefulSet, pod *corev1.Pod) int {
	rest, ok := strings.CutPrefix(pod.Name, set.Name+"-")
	if !ok {
		return -1
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 || strconv.Itoa(n) != rest {
		return -1
	}
	return n
}

// Range is set's ordinals: [start, start+replicas).
func Range(set *appsv1.StatefulSet) (start, end int) {
	if set.Spec.Ordinals != nil {
		start = int(set.Spec.Ordinals.Start)
	}
	replicas := 1
	if set.Spec.Replicas != nil {
		replicas = int(*set.Spec.Replicas)
	}
	return start, start + replicas
}

// ClaimName is the PVC of claim template claim for set's pod podName.
func ClaimName(claim *corev1.PersistentVolumeClaim, podName string) string {
	return claim.Name + "-" + podName
}

// NewPod is set's pod with ordinal at revision (whose template it runs):
// the stable name, hostname and subdomain, and one volume per claim
// template pointing at the pod's own PVC.
func NewPod(set *appsv1.StatefulSet, template *corev1.PodTemplateSpec, revision string, ordinal int) *corev1.Pod {
	pod := ownedpods.PodFromTemplate(template, set, setKind)
	name := PodName(set, ordinal)
	pod.GenerateName = ""
	pod.Name = name
	if pod.Labels == nil {
		pod.Labels = map[string]string{}
	}
	pod.Labels[PodNameLabel] = name
	pod.Labels[PodIndexLabel] = strconv.Itoa(ordinal)
	pod.Labels[RevisionLabel] = revision
	pod.Spec.Hostname = name
	pod.Spec.Subdomain = set.Spec.ServiceName
	for i := range set.Spec.VolumeClaimTemplates {
		claim := &set.Spec.VolumeClaimTemplates[i]
		vol := corev1.Volume{Name: claim.Name, VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: ClaimName(claim, name)}}}
		replaced := false
		for j := range pod.Spec.Volumes {
			if pod.Spec.Volumes[j].Name == claim.Name {
				pod.Spec.Volumes[j] = vol
				replaced = true
			}
		}
		if !replaced {
			pod.Spec.Volumes = append(pod.Spec.Volumes, vol)
		}
	}
	return pod
}

// NewClaims are the PVCs set's pod podName needs, labelled with the
// set's selector labels; with whenDeleted: Delete they are owned by the
// set, so they go with it.
func NewClaims(set *appsv1.StatefulSet, podName string) []*corev1.PersistentVolumeClaim {
	var out []*corev1.PersistentVolumeClaim
	for i := range set.Spec.VolumeClaimTemplates {
		t := set.Spec.VolumeClaimTemplates[i].DeepCopy()
		pvc := &corev1.PersistentVolumeClaim{
			ObjectMeta: metav1.ObjectMeta{
				Name: ClaimName(t, podName), Namespace: set.Namespace,
				Labels: t.Labels, Annotations: t.Annotations,
			},
			Spec: t.Spec,
		}
		if pvc.Labels == nil {
			pvc.Labels = map[string]string{}
		}
		if set.Spec.Selector != nil {
			for k, v := range set.Spec.Selector.MatchLabels {
				pvc.Labels[k] = v
			}
		}
		if p := set.Spec.PersistentVolumeClaimRetentionPolicy; p != nil && p.WhenDeleted == appsv1.DeletePersistentVolumeClaimRetentionPolicyType {
			ref := ownedpods.ControllerRef(set, setKind)
			no := false
			ref.Controller = &no
			pvc.OwnerReferences = []metav1.OwnerReference{ref}
		}
		out = append(out, pvc)
	}
	return out
}
