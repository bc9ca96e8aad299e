package node

import (
	corev1 "k8s.io/api/core/v1"
)

// key names a namespaced object.
type key struct{ namespace, name string }

// refs is everything the pods on one node give the kubelet a reason to
// read: the pods themselves, the secrets, configmaps, claims and service
// accounts they name, and the volumes bound to those claims.
type refs struct {
	pods, secrets, configMaps, claims, serviceAccounts map[key]struct{}
	volumes                                            map[string]struct{}
}

func newRefs() *refs {
	return &refs{
		pods: map[key]struct{}{}, secrets: map[key]struct{}{}, configMaps: map[key]struct{}{},
		claims: map[key]struct{}{}, serviceAccounts: map[key]struct{}{}, volumes: map[string]struct{}{},
	}
}

func has(m map[key]struct{}, namespace, name string) bool {
	_, ok := m[key{namespace, name}]
	return ok
}

// addPod records what a pod references, wherever the kubelet reads it:
// image pull secrets; env and envFrom of init, app and ephemeral
// containers; secret, configMap, projected and claim volumes (a generic
// ephemeral volume's claim is <pod>-<volume>); the secret references of
// volume plugins (CSI, iSCSI, RBD, CephFS, Cinder, FlexVolume, ScaleIO,
// StorageOS, Azure File); and its service account.
func (r *refs) addPod(p *corev1.Pod) {
	ns := p.Namespace
	r.pods[key{ns, p.Name}] = struct{}{}
	if p.Spec.ServiceAccountName != "" {
		r.serviceAccounts[key{ns, p.Spec.ServiceAccountName}] = struct{}{}
	}
	secret := func(name string) {
		if name != "" {
			r.secrets[key{ns, name}] = struct{}{}
		}
	}
	local := func(ref *corev1.LocalObjectReference) {
		if ref != nil {
			secret(ref.Name)
		}
	}
	configMap := func(name string) {
		if name != "" {
			r.configMaps[key{ns, name}] = struct{}{}
		}
	}
	for _, s := range p.Spec.ImagePullSecrets {
		secret(s.Name)
	}
	env := func(env []corev1.EnvVar, from []corev1.EnvFromSource) {
		for i := range from {
			if from[i].SecretRef != nil {
				secret(from[i].SecretRef.Name)
			}
			if from[i].ConfigMapRef != nil {
				configMap(from[i].ConfigMapRef.Name)
			}
		}
		for i := range env {
			if v := env[i].ValueFrom; v != nil {
				if v.SecretKeyRef != nil {
					secret(v.SecretKeyRef.Name)
				}
				if v.ConfigMapKeyRef != nil {
					configMap(v.ConfigMapKeyRef.Name)
				}
			}
		}
	}
	for i := range p.Spec.InitContainers {
		env(p.Spec.InitContainers[i].Env, p.Spec.InitContainers[i].EnvFrom)
	}
	for i := range p.Spec.Containers {
		env(p.Spec.Containers[i].Env, p.Spec.Containers[i].EnvFrom)
	}
	for i := range p.Spec.EphemeralContainers {
		env(p.Spec.EphemeralContainers[i].Env, p.Spec.EphemeralContainers[i].EnvFrom)
	}
	for i := range p.Spec.Volumes {
		v := &p.Spec.Volumes[i]
		switch {
		case v.Secret != nil:
			secret(v.Secret.SecretName)
		case v.ConfigMap != nil:
			configMap(v.ConfigMap.Name)
		case v.Projected != nil:
			for _, s := range v.Projected.Sources {
				if s.Secret != nil {
					secret(s.Secret.Name)
				}
				if s.ConfigMap != nil {
					configMap(s.ConfigMap.Name)
				}
			}
		case v.PersistentVolumeClaim != nil:
			r.claims[key{ns, v.PersistentVolumeClaim.ClaimName}] = struct{}{}
		case v.Ephemeral != nil:
			r.claims[key{ns, p.Name + "-" + v.Name}] = struct{}{}
		case v.CSI != nil:
			local(v.CSI.NodePublishSecretRef)
		case v.ISCSI != nil:
			local(v.ISCSI.SecretRef)
		case v.RBD != nil:
			local(v.RBD.SecretRef)
		case v.CephFS != nil:
			local(v.CephFS.SecretRef)
		case v.Cinder != nil:
			local(v.Cinder.SecretRef)
		case v.FlexVolume != nil:
			local(v.FlexVolume.SecretRef)
		case v.ScaleIO != nil:
			local(v.ScaleIO.SecretRef)
		case v.StorageOS != nil:
			local(v.StorageOS.SecretRef)
		case v.AzureFile != nil:
			secret(v.AzureFile.SecretName)
		}
	}
}

// addVolume records a volume bound to one of the node's claims and the
// secrets it hands the kubelet (not the controller-side CSI secrets).
// claimNamespace is where an Azure File secret without a namespace lives.
func (r *refs) addVolume(pv *corev1.PersistentVolume, claimNamespace string) {
	r.volumes[pv.Name] = struct{}{}
	ref := func(s *corev1.SecretReference) {
		if s != nil && s.Name != "" {
			r.secrets[key{s.Namespace, s.Name}] = struct{}{}
		}
	}
	s := &pv.Spec.PersistentVolumeSource
	switch {
	case s.CSI != nil:
		ref(s.CSI.NodePublishSecretRef)
		ref(s.CSI.NodeStageSecretRef)
		ref(s.CSI.NodeExpandSecretRef)
	case s.ISCSI != nil:
		ref(s.ISCSI.SecretRef)
	case s.RBD != nil:
		ref(s.RBD.SecretRef)
	case s.CephFS != nil:
		ref(s.CephFS.SecretRef)
	case s.Cinder != nil:
		ref(s.Cinder.SecretRef)
	case s.FlexVolume != nil:
		ref(s.FlexVolume.SecretRef)
	case s.ScaleIO != nil:
		ref(s.ScaleIO.SecretRef)
	case s.StorageOS != nil:
		if o := s.StorageOS.SecretRef; o != nil && o.Name != "" {
			r.secrets[key{o.Namespace, o.Name}] = struct{}{}
		}
	case s.AzureFile != nil:
		ns := claimNamespace
		if s.AzureFile.SecretNamespace != nil {
			ns = *s.AzureFile.SecretNamespace
		}
		if s.AzureFile.SecretName != "" {
			r.secrets[key{ns, s.AzureFile.SecretName}] = struct{}{}
		}
	}
}
