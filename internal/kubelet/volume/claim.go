package volume

import (
	"context"
	"fmt"
	"os"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// claimVolume resolves a persistentVolumeClaim to its bound volume's path
// on this host. Only hostPath and local volumes live on a host; anything
// else needs a CSI driver hanok does not run.
func (m *Manager) claimVolume(ctx context.Context, pod *v1.Pod, claimName string, readOnly bool) (Volume, error) {
	pvc, err := m.getClaim(ctx, pod.Namespace, claimName)
	if err != nil {
		return Volume{}, err
	}
	return m.boundVolume(ctx, pvc, readOnly)
}

// ephemeralVolume is a generic ephemeral volume: the claim <pod>-<volume>
// the ephemeral-volume controller made for this pod, refused when it
// belongs to someone else (a same-named claim made by hand), as upstream.
func (m *Manager) ephemeralVolume(ctx context.Context, pod *v1.Pod, volName string) (Volume, error) {
	pvc, err := m.getClaim(ctx, pod.Namespace, pod.Name+"-"+volName)
	if err != nil {
		return Volume{}, err
	}
	if ref := metav1.GetControllerOf(pvc); ref == nil || ref.UID != pod.UID {
		return Volume{}, fmt.Errorf("persistentvolumeclaim %q was not created for the pod", pod.Namespace+"/"+pvc.Name)
	}
	return m.boundVolume(ctx, pvc, false)
}

func (m *Manager) getClaim(ctx context.Context, namespace, name string) (*v1.PersistentVolumeClaim, error) {
	if m.o.Client == nil {
		return nil, fmt.Errorf("no API client to read persistentvolumeclaim %q", namespace+"/"+name)
	}
	pvc, err := m.o.Client.CoreV1().PersistentVolumeClaims(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading persistentvolumeclaim %q: %w", namespace+"/"+name, err)
	}
	return pvc, nil
}

// boundVolume follows a claim to its persistent volume on this host.
func (m *Manager) boundVolume(ctx context.Context, pvc *v1.PersistentVolumeClaim, readOnly bool) (Volume, error) {
	name := pvc.Namespace + "/" + pvc.Name
	if pvc.DeletionTimestamp != nil {
		return Volume{}, fmt.Errorf("persistentvolumeclaim %q is being deleted", name)
	}
	if pvc.Spec.VolumeName == "" || pvc.Status.Phase != v1.ClaimBound {
		return Volume{}, fmt.Errorf("persistentvolumeclaim %q is not bound", name)
	}
	pv, err := m.o.Client.CoreV1().PersistentVolumes().Get(ctx, pvc.Spec.VolumeName, metav1.GetOptions{})
	if err != nil {
		return Volume{}, fmt.Errorf("reading persistentvolume %q: %w", pvc.Spec.VolumeName, err)
	}
	if ref := pv.Spec.ClaimRef; ref != nil && ref.UID != "" && ref.UID != pvc.UID {
		return Volume{}, fmt.Errorf("persistentvolume %q is bound to another claim", pv.Name)
	}
	return pvHostVolume(pv, readOnly)
}

// pvHostVolume is the host side of a hostPath or local persistent volume.
func pvHostVolume(pv *v1.PersistentVolume, readOnly bool) (Volume, error) {
	switch {
	case pv.Spec.HostPath != nil:
		t := v1.HostPathUnset
		if pv.Spec.HostPath.Type != nil {
			t = *pv.Spec.HostPath.Type
		}
		if err := checkHostPath(pv.Spec.HostPath.Path, t); err != nil {
			return Volume{}, err
		}
		return Volume{HostPath: pv.Spec.HostPath.Path, ReadOnly: readOnly}, nil
	case pv.Spec.Local != nil:
		if _, err := os.Stat(pv.Spec.Local.Path); err != nil {
			return Volume{}, fmt.Errorf("local volume %q: %w", pv.Name, err)
		}
		return Volume{HostPath: pv.Spec.Local.Path, ReadOnly: readOnly}, nil
	}
	return Volume{}, fmt.Errorf("persistentvolume %q is neither hostPath nor local; hanok cannot attach it", pv.Name)
}
