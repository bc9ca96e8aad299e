package ownedpods

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// Claim is what an owner does with one candidate child.
type Claim int

const (
	Ignore  Claim = iota // someone else's, or not to be touched now
	Keep                 // already ours and still matching
	Adopt                // an orphan that matches: add our controller ref
	Release              // ours but no longer matching: remove our ref
)

// Decide is the claim rule for child, given whether owner's selector
// matches it: a child with another controller is never touched; an owner
// being deleted neither adopts nor releases; a child being deleted is not
// adopted.
func Decide(owner, child metav1.Object, matches bool) Claim {
	if ref := metav1.GetControllerOfNoCopy(child); ref != nil {
		switch {
		case ref.UID != owner.GetUID():
			return Ignore
		case matches:
			return Keep
		case owner.GetDeletionTimestamp() != nil:
			return Ignore
		default:
			return Release
		}
	}
	if !matches || owner.GetDeletionTimestamp() != nil || child.GetDeletionTimestamp() != nil {
		return Ignore
	}
	return Adopt
}

// ControllerRef is the ownerReference that makes owner (of kind gvk) a
// child's controller.
func ControllerRef(owner metav1.Object, gvk schema.GroupVersionKind) metav1.OwnerReference {
	yes := true
	return metav1.OwnerReference{
		APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind,
		Name: owner.GetName(), UID: owner.GetUID(),
		Controller: &yes, BlockOwnerDeletion: &yes,
	}
}

// AdoptPatch is the strategic merge patch that adds owner as child's
// controller; the uid makes it fail if child was replaced meanwhile.
func AdoptPatch(owner metav1.Object, gvk schema.GroupVersionKind, child metav1.Object) []byte {
	p, _ := json.Marshal(map[string]any{"metadata": map[string]any{
		"ownerReferences": []metav1.OwnerReference{ControllerRef(owner, gvk)},
		"uid":             child.GetUID(),
	}})
	return p
}

// ReleasePatch is the strategic merge patch that removes owner's
// reference from child.
func ReleasePatch(owner, child metav1.Object) []byte {
	p, _ := json.Marshal(map[string]any{"metadata": map[string]any{
		"ownerReferences": []map[string]any{{"$patch": "delete", "uid": owner.GetUID()}},
		"uid":             child.GetUID(),
	}})
	return p
}

// Claimer adopts and releases children for one owner.
type Claimer[T metav1.Object] struct {
	Owner    metav1.Object
	GVK      schema.GroupVersionKind
	Selector labels.Selector
	// CanAdopt re-reads the owner from the API (not the cache) and fails
	// if it is being deleted or was replaced: adopting for a dying owner
	// would hand the child to the garbage collector.
	CanAdopt func(ctx context.Context) error
	// Patch applies a strategic merge patch to child.
	Patch func(ctx context.Context, child T, patch []byte) error
}

// Claim returns the children that are the owner's after adopting matching
// orphans and releasing its children that no longer match. A child gone
// meanwhile is skipped; other errors are returned after the rest ran.
func (c Claimer[T]) Claim(ctx context.Context, children []T) ([]T, error) {
	var (
		claimed []T
		errs    []error
		once    sync.Once
		adoptOK error
	)
	for _, child := range children {
		switch Decide(c.Owner, child, c.Selector.Matches(labels.Set(child.GetLabels()))) {
		case Keep:
			claimed = append(claimed, child)
		case Adopt:
			once.Do(func() { adoptOK = c.CanAdopt(ctx) })
			if adoptOK != nil {
				errs = append(errs, adoptOK)
				continue
			}
			err := c.Patch(ctx, child, AdoptPatch(c.Owner, c.GVK, child))
			switch {
			case err == nil:
				claimed = append(claimed, child)
			case apierrors.IsNotFound(err) || apierrors.IsInvalid(err): // gone, or replaced (uid mismatch)
			default:
				errs = append(errs, fmt.Errorf("adopting %s: %w", child.GetName(), err))
			}
		case Release:
			err := c.Patch(ctx, child, ReleasePatch(c.Owner, child))
			if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsInvalid(err) {
				errs = append(errs, fmt.Errorf("releasing %s: %w", child.GetName(), err))
			}
		}
	}
	if len(errs) > 0 {
		return claimed, errs[0]
	}
	return claimed, nil
}

// RecheckOwner is a CanAdopt from a fresh read of the owner.
func RecheckOwner(owner metav1.Object, get func(ctx context.Context) (metav1.Object, error)) func(context.Context) error {
	return func(ctx context.Context) error {
		fresh, err := get(ctx)
		if err != nil {
			return err
		}
		if fresh.GetUID() != owner.GetUID() {
			return fmt.Errorf("original %s is gone: got uid %v, wanted %v", owner.GetName(), fresh.GetUID(), owner.GetUID())
		}
		if fresh.GetDeletionTimestamp() != nil {
			return fmt.Errorf("%s has just been deleted at %v", owner.GetName(), fresh.GetDeletionTimestamp())
		}
		return nil
	}
}

// PodClaimer is the Claimer of pods every pod-owning controller uses: it
// adopts and releases with strategic merge patches through client, and
// re-reads the owner with getOwner (a live GET) before adopting.
func PodClaimer(client kubernetes.Interface, owner metav1.Object, gvk schema.GroupVersionKind, sel labels.Selector,
	getOwner func(ctx context.Context) (metav1.Object, error)) Claimer[*corev1.Pod] {
	return Claimer[*corev1.Pod]{
		Owner: owner, GVK: gvk, Selector: sel,
		CanAdopt: RecheckOwner(owner, getOwner),
		Patch: func(ctx context.Context, pod *corev1.Pod, patch []byte) error {
			_, err := client.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{})
			return err
		},
	}
}

// ControlledBy returns the objects of all whose controller is owner.
func ControlledBy[T metav1.Object](owner metav1.Object, all []T) []T {
	var out []T
	for _, obj := range all {
		if ref := metav1.GetControllerOfNoCopy(obj); ref != nil && ref.UID == owner.GetUID() {
			out = append(out, obj)
		}
	}
	return out
}
