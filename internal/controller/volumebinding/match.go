package volumebinding

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
)

// ClaimClass is the storage class claim asks for: the beta annotation
// first (as upstream still honours it), then spec.storageClassName; ""
// means no class.
func ClaimClass(claim *corev1.PersistentVolumeClaim) string {
	if c, ok := claim.Annotations[corev1.BetaStorageClassAnnotation]; ok {
		return c
	}
	if claim.Spec.StorageClassName != nil {
		return *claim.Spec.StorageClassName
	}
	return ""
}

// VolumeClass is the storage class volume belongs to, read the same way.
func VolumeClass(volume *corev1.PersistentVolume) string {
	if c, ok := volume.Annotations[corev1.BetaStorageClassAnnotation]; ok {
		return c
	}
	return volume.Spec.StorageClassName
}

// BoundToClaim says whether volume's claimRef names claim: same namespace
// and name, and the same UID unless the ref has none yet (a volume an
// administrator pre-bound by name).
func BoundToClaim(volume *corev1.PersistentVolume, claim *corev1.PersistentVolumeClaim) bool {
	ref := volume.Spec.ClaimRef
	if ref == nil || ref.Name != claim.Name || ref.Namespace != claim.Namespace {
		return false
	}
	return ref.UID == "" || ref.UID == claim.UID
}

// modeMismatch says whether the claim's and the volume's volumeMode differ
// (unset is Filesystem on both sides).
func modeMismatch(claim *corev1.PersistentVolumeClaim, volume *corev1.PersistentVolume) bool {
	mode := func(m *corev1.PersistentVolumeMode) corev1.PersistentVolumeMode {
		if m == nil {
			return corev1.PersistentVolumeFilesystem
		}
		return *m
	}
	return mode(claim.Spec.VolumeMode) != mode(volume.Spec.VolumeMode)
}

// accessModesFit says whether volume offers every access mode claim asks
// for.
func accessModesFit(claim *corev1.PersistentVolumeClaim, volume *corev1.PersistentVolume) bool {
	for _, m := range claim.Spec.AccessModes {
		if !slices.Contains(volume.Spec.AccessModes, m) {
			return false
		}
	}
	return true
}

// bigEnough says whether volume's capacity covers claim's request.
func bigEnough(claim *corev1.PersistentVolumeClaim, volume *corev1.PersistentVolume) bool {
	want := claim.Spec.Resources.Requests[corev1.ResourceStorage]
	have := volume.Spec.Capacity[corev1.ResourceStorage]
	return have.Cmp(want) >= 0
}

// nodeFits says whether volume may be used from node: a volume without
// node affinity can be used anywhere.
func nodeFits(volume *corev1.PersistentVolume, node *corev1.Node) bool {
	na := volume.Spec.NodeAffinity
	if na == nil || na.Required == nil {
		return true
	}
	if node == nil {
		return false
	}
	sel, err := nodeaffinity.NewNodeSelector(na.Required)
	if err != nil {
		return false
	}
	return sel.Match(node)
}

// Satisfies says why volume cannot serve claim, which named it in
// spec.volumeName (nil: it can). Upstream's checks for a claim that asked
// for one volume: not being deleted, size, class, volume mode, access
// modes; not phase, selector or node.
func Satisfies(volume *corev1.PersistentVolume, claim *corev1.PersistentVolumeClaim) error {
	switch {
	case volume.DeletionTimestamp != nil:
		return fmt.Errorf("the volume is marked for deletion %q", volume.Name)
	case !bigEnough(claim, volume):
		return fmt.Errorf("requested PV is too small")
	case VolumeClass(volume) != ClaimClass(claim):
		return fmt.Errorf("storageClassName does not match")
	case modeMismatch(claim, volume):
		return fmt.Errorf("incompatible volumeMode")
	case !accessModesFit(claim, volume):
		return fmt.Errorf("incompatible accessMode")
	}
	return nil
}

// BestMatch is the volume claim should be bound to, or nil.
//
// A volume already bound to claim (pre-bound by an administrator, or left
// half-bound by a crash) is the answer whenever its size and mode fit,
// unless node is given and its affinity rejects node (then nothing is).
// Otherwise the candidates are Available volumes, not being deleted, of
// the claim's class, matching its selector, access modes, volume mode and
// node; the one with the fewest access modes, then the smallest capacity,
// then the first name wins (so the same inputs give the same answer).
//
// delayed says the claim's class waits for its first consumer: with no
// node chosen yet only a pre-bound volume can match.
func BestMatch(claim *corev1.PersistentVolumeClaim, volumes []*corev1.PersistentVolume, node *corev1.Node, delayed bool) (*corev1.PersistentVolume, error) {
	var selector labels.Selector
	if claim.Spec.Selector != nil {
		s, err := metav1.LabelSelectorAsSelector(claim.Spec.Selector)
		if err != nil {
			return nil, fmt.Errorf("claim %s/%s: selector: %w", claim.Namespace, claim.Name, err)
		}
		selector = s
	}
	class := ClaimClass(claim)
	var best *corev1.PersistentVolume
	for _, v := range volumes {
		if v.Spec.ClaimRef != nil && !BoundToClaim(v, claim) {
			continue
		}
		if !bigEnough(claim, v) || modeMismatch(claim, v) || v.DeletionTimestamp != nil {
			continue
		}
		fitsNode := node == nil || nodeFits(v, node)
		if BoundToClaim(v, claim) {
			if !fitsNode {
				return nil, nil
			}
			return v, nil
		}
		if delayed && node == nil {
			continue
		}
		if v.Status.Phase != corev1.VolumeAvailable || VolumeClass(v) != class || !fitsNode || !accessModesFit(claim, v) {
			continue
		}
		if selector != nil && !selector.Matches(labels.Set(v.Labels)) {
			continue
		}
		if best == nil || better(v, best) {
			best = v
		}
	}
	return best, nil
}

// better orders candidates: fewer access modes (the claim takes no more
// than it needs), then less capacity, then name.
func better(a, b *corev1.PersistentVolume) bool {
	if len(a.Spec.AccessModes) != len(b.Spec.AccessModes) {
		return len(a.Spec.AccessModes) < len(b.Spec.AccessModes)
	}
	qa, qb := a.Spec.Capacity[corev1.ResourceStorage], b.Spec.Capacity[corev1.ResourceStorage]
	if c := qa.Cmp(qb); c != 0 {
		return c < 0
	}
	return a.Name < b.Name
}
