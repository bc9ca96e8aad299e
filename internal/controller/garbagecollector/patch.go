package garbagecollector

import (
	"encoding/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// The collector's writes are JSON merge patches of metadata, which every
// resource accepts (strategic merge patch does not work on custom
// resources). A merge patch replaces a list whole, so each carries the
// uid and resourceVersion it was computed from: a concurrent change makes
// it fail with a conflict, and it is computed again from a fresh read.

type metadataPatch struct {
	Metadata patchMeta `json:"metadata"`
}

type patchMeta struct {
	UID             types.UID `json:"uid"`
	ResourceVersion string    `json:"resourceVersion"`
	// Pointers: nil leaves the field alone; a pointer to nil (JSON null)
	// removes it.
	OwnerReferences *[]metav1.OwnerReference `json:"ownerReferences,omitempty"`
	Finalizers      *[]string                `json:"finalizers,omitempty"`
}

func marshal(p metadataPatch) []byte {
	data, err := json.Marshal(p)
	if err != nil {
		panic(err) // plain structs always marshal
	}
	return data
}

// orNull is the list to send: an empty one as JSON null, which a merge
// patch reads as "remove the field".
func orNull[T any](list []T) *[]T {
	if len(list) == 0 {
		return new([]T)
	}
	return &list
}

// removeRefsPatch drops the references to uids from m.
func removeRefsPatch(m *metav1.PartialObjectMetadata, uids []types.UID) ([]byte, bool) {
	drop := map[types.UID]bool{}
	for _, u := range uids {
		drop[u] = true
	}
	var kept []metav1.OwnerReference
	for _, ref := range m.OwnerReferences {
		if !drop[ref.UID] {
			kept = append(kept, ref)
		}
	}
	if len(kept) == len(m.OwnerReferences) {
		return nil, false
	}
	return marshal(metadataPatch{patchMeta{UID: m.UID, ResourceVersion: m.ResourceVersion, OwnerReferences: orNull(kept)}}), true
}

// unblockPatch clears blockOwnerDeletion on every reference of m.
func unblockPatch(m *metav1.PartialObjectMetadata) ([]byte, bool) {
	refs := make([]metav1.OwnerReference, len(m.OwnerReferences))
	changed := false
	for i, ref := range m.OwnerReferences {
		if blocks(ref) {
			ref.BlockOwnerDeletion = new(bool)
			changed = true
		}
		refs[i] = ref
	}
	if !changed {
		return nil, false
	}
	return marshal(metadataPatch{patchMeta{UID: m.UID, ResourceVersion: m.ResourceVersion, OwnerReferences: &refs}}), true
}

// removeFinalizerPatch drops finalizer from m.
func removeFinalizerPatch(m *metav1.PartialObjectMetadata, finalizer string) ([]byte, bool) {
	var kept []string
	for _, f := range m.Finalizers {
		if f != finalizer {
			kept = append(kept, f)
		}
	}
	if len(kept) == len(m.Finalizers) {
		return nil, false
	}
	return marshal(metadataPatch{patchMeta{UID: m.UID, ResourceVersion: m.ResourceVersion, Finalizers: orNull(kept)}}), true
}
