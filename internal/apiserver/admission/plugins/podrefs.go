package plugins

import (
	corev1 "k8s.io/api/core/v1"
)

// Helpers about pods shared by ServiceAccount and NodeRestriction: what a
// pod references, which matters for mirror pods, which the kubelet creates
// from files and which therefore must not reach into the API's secrets.

// mirrorPodAnnotation marks a pod the kubelet created from a static
// manifest.
const mirrorPodAnnotation = corev1.MirrorPodAnnotationKey

func isMirrorPod(pod *corev1.Pod) bool {
	_, ok := pod.Annotations[mirrorPodAnnotation]
	return ok
}

// allContainers visits every container of every kind, with their env.
func allContainers(spec *corev1.PodSpec, visit func(c *corev1.Container) bool) {
	for i := range spec.InitContainers {
		if !visit(&spec.InitContainers[i]) {
			return
		}
	}
	for i := range spec.Containers {
		if !visit(&spec.Containers[i]) {
			return
		}
	}
	for i := range spec.EphemeralContainers {
		if !visit((*corev1.Container)(&spec.EphemeralContainers[i].EphemeralContainerCommon)) {
			return
		}
	}
}

// referencesSecrets tells whether the pod names any Secret: image pull
// secrets, secret volumes and projections, volume plugins' secretRefs,
// and env/envFrom.
func referencesSecrets(pod *corev1.Pod) bool {
	if len(pod.Spec.ImagePullSecrets) > 0 {
		return true
	}
	for _, v := range pod.Spec.Volumes {
		if volumeReferencesSecret(&v.VolumeSource) {
			return true
		}
	}
	found := false
	allContainers(&pod.Spec, func(c *corev1.Container) bool {
		for _, e := range c.EnvFrom {
			if e.SecretRef != nil {
				found = true
			}
		}
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				found = true
			}
		}
		return !found
	})
	return found
}

func volumeReferencesSecret(v *corev1.VolumeSource) bool {
	switch {
	case v.Secret != nil:
		return true
	case v.Projected != nil:
		for _, s := range v.Projected.Sources {
			if s.Secret != nil {
				return true
			}
		}
	case v.AzureFile != nil:
		return true
	case v.CephFS != nil && v.CephFS.SecretRef != nil,
		v.Cinder != nil && v.Cinder.SecretRef != nil,
		v.FlexVolume != nil && v.FlexVolume.SecretRef != nil,
		v.ISCSI != nil && v.ISCSI.SecretRef != nil,
		v.RBD != nil && v.RBD.SecretRef != nil,
		v.ScaleIO != nil && v.ScaleIO.SecretRef != nil,
		v.StorageOS != nil && v.StorageOS.SecretRef != nil,
		v.CSI != nil && v.CSI.NodePublishSecretRef != nil:
		return true
	}
	return false
}

// referencesConfigMaps tells whether the pod names any ConfigMap.
func referencesConfigMaps(pod *corev1.Pod) bool {
	for _, v := range pod.Spec.Volumes {
		if v.ConfigMap != nil {
			return true
		}
		if v.Projected != nil {
			for _, s := range v.Projected.Sources {
				if s.ConfigMap != nil {
					return true
				}
			}
		}
	}
	found := false
	allContainers(&pod.Spec, func(c *corev1.Container) bool {
		for _, e := range c.EnvFrom {
			if e.ConfigMapRef != nil {
				found = true
			}
		}
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil {
				found = true
			}
		}
		return !found
	})
	return found
}

// referencesClaims tells whether the pod uses a PersistentVolumeClaim,
// directly or through a generic ephemeral volume (which creates one).
func referencesClaims(pod *corev1.Pod) bool {
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim != nil || v.Ephemeral != nil {
			return true
		}
	}
	return false
}

// usesServiceAccountTokenProjection tells whether a projected volume asks
// for a service-account token.
func usesServiceAccountTokenProjection(pod *corev1.Pod) bool {
	for _, v := range pod.Spec.Volumes {
		if v.Projected == nil {
			continue
		}
		for _, s := range v.Projected.Sources {
			if s.ServiceAccountToken != nil {
				return true
			}
		}
	}
	return false
}

// usesClusterTrustBundles tells whether a projected volume reads
// ClusterTrustBundles.
func usesClusterTrustBundles(pod *corev1.Pod) bool {
	for _, v := range pod.Spec.Volumes {
		if v.Projected == nil {
			continue
		}
		for _, s := range v.Projected.Sources {
			if s.ClusterTrustBundle != nil {
				return true
			}
		}
	}
	return false
}
