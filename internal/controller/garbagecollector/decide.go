package garbagecollector

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// ownerState is what became of the owner one reference names.
type ownerState int

const (
	// solid: it exists, with the UID referenced, and is not waiting for
	// its dependents to go.
	solid ownerState = iota
	// dangling: it is gone, or was replaced (another UID).
	dangling
	// waiting: it is being deleted in foreground, waiting for its
	// dependents.
	waiting
)

// stateOf is the state of an owner that exists as m.
func stateOf(m *metav1.PartialObjectMetadata, uid types.UID) ownerState {
	switch {
	case m == nil || m.UID != uid:
		return dangling
	case m.DeletionTimestamp != nil && hasFinalizer(m.Finalizers, metav1.FinalizerDeleteDependents):
		return waiting
	default:
		return solid
	}
}

func hasFinalizer(finalizers []string, f string) bool {
	for _, x := range finalizers {
		if x == f {
			return true
		}
	}
	return false
}

// verdict is what to do with a dependent.
type verdict int

const (
	keep        verdict = iota // it has an owner: nothing to do
	removeRefs                 // drop the references to gone or waiting owners
	deleteIt                   // delete it with policy
	unblockThen                // clear its blockOwnerDeletion, then delete it in foreground
)

// action is a verdict with its details.
type action struct {
	verdict verdict
	remove  []types.UID // removeRefs: the references to drop
	policy  metav1.DeletionPropagation
}

// decide is upstream's attemptToDeleteItem for an object not being
// deleted: given its references' owners' states, its own finalizers,
// whether it has dependents and whether one of those is itself waiting on
// its dependents (a cycle in the making).
func decide(refs []metav1.OwnerReference, states map[types.UID]ownerState, finalizers []string, hasDependents, dependentWaiting bool) action {
	if len(refs) == 0 {
		return action{verdict: keep}
	}
	var nSolid int
	var gone []types.UID
	var nWaiting int
	for _, ref := range refs {
		switch states[ref.UID] {
		case solid:
			nSolid++
		case dangling:
			gone = append(gone, ref.UID)
		case waiting:
			nWaiting++
			gone = append(gone, ref.UID)
		}
	}
	switch {
	case nSolid > 0 && len(gone) == 0:
		return action{verdict: keep}
	case nSolid > 0:
		// Still owned: forget the gone owners, and release the waiting
		// ones, which would otherwise wait for this object for ever.
		return action{verdict: removeRefs, remove: gone}
	case nWaiting > 0 && hasDependents:
		// An owner waits for it: it goes first, in foreground so that
		// its own dependents go before it. A dependent of it that waits
		// too would wait on it in turn: unblock first.
		if dependentWaiting {
			return action{verdict: unblockThen, policy: metav1.DeletePropagationForeground}
		}
		return action{verdict: deleteIt, policy: metav1.DeletePropagationForeground}
	}
	// No owner left: collect it, honouring the policy its own finalizers
	// ask for.
	policy := metav1.DeletePropagationBackground
	switch {
	case hasFinalizer(finalizers, metav1.FinalizerOrphanDependents):
		policy = metav1.DeletePropagationOrphan
	case hasFinalizer(finalizers, metav1.FinalizerDeleteDependents):
		policy = metav1.DeletePropagationForeground
	}
	return action{verdict: deleteIt, policy: policy}
}

// blocking are the dependents the owner uid waits for in foreground: those
// whose reference to it sets blockOwnerDeletion.
func blocking(deps []dependent, uid types.UID) []dependent {
	var out []dependent
	for _, d := range deps {
		for _, ref := range d.obj.OwnerReferences {
			if ref.UID == uid && ref.BlockOwnerDeletion != nil && *ref.BlockOwnerDeletion {
				out = append(out, d)
				break
			}
		}
	}
	return out
}

// changedOwners are the references in before that after no longer has, or
// whose blockOwnerDeletion changed: their owners may be waiting on it.
func changedOwners(before, after []metav1.OwnerReference) []metav1.OwnerReference {
	now := map[types.UID]metav1.OwnerReference{}
	for _, ref := range after {
		now[ref.UID] = ref
	}
	var out []metav1.OwnerReference
	for _, ref := range before {
		cur, ok := now[ref.UID]
		if !ok || blocks(cur) != blocks(ref) {
			out = append(out, ref)
		}
	}
	return out
}

func blocks(ref metav1.OwnerReference) bool {
	return ref.BlockOwnerDeletion != nil && *ref.BlockOwnerDeletion
}
