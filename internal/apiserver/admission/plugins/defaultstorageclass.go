package plugins

import (
	"context"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/labels"
	storagelisters "k8s.io/client-go/listers/storage/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

// DefaultStorageClass is upstream's plugin of that name: a claim that
// names no StorageClass gets the cluster's default one, so charts written
// without a class still get a provisioned volume. A claim with an empty
// class name ("") asked for no class and keeps it.
type DefaultStorageClass struct {
	// Classes is the StorageClass lister.
	Classes storagelisters.StorageClassLister
	// Ready waits for the lister; nil means always ready.
	Ready ReadyFunc
}

// The annotations that make a class the default; upstream still honours
// the beta one.
const (
	IsDefaultStorageClassAnnotation     = "storageclass.kubernetes.io/is-default-class"
	betaIsDefaultStorageClassAnnotation = "storageclass.beta.kubernetes.io/is-default-class"
	betaStorageClassAnnotation          = corev1.BetaStorageClassAnnotation
)

var claimsResource = corev1.Resource("persistentvolumeclaims")

// Admit implements admission.Mutator.
func (d *DefaultStorageClass) Admit(ctx context.Context, a *admission.Attributes) error {
	if a.Resource.GroupResource() != claimsResource || a.Subresource != "" || a.Operation != admission.Create {
		return nil
	}
	pvc, ok := a.Object.(*corev1.PersistentVolumeClaim)
	if !ok || pvc.Spec.StorageClassName != nil {
		return nil
	}
	if _, ok := pvc.Annotations[betaStorageClassAnnotation]; ok {
		return nil
	}
	if err := ensureReady(ctx, d.Ready, a); err != nil {
		return err
	}
	def, err := d.defaultClass()
	if err != nil {
		return admission.NewForbidden(a, err)
	}
	if def != nil {
		name := def.Name
		pvc.Spec.StorageClassName = &name
	}
	return nil
}

// defaultClass picks among the classes marked default the newest, then
// the first by name, as upstream: adding a new default is how an admin
// switches, before removing the old mark.
func (d *DefaultStorageClass) defaultClass() (*storagev1.StorageClass, error) {
	if d.Classes == nil {
		return nil, nil
	}
	list, err := d.Classes.List(labels.Everything())
	if err != nil {
		return nil, fmt.Errorf("listing storage classes: %w", err)
	}
	var defaults []*storagev1.StorageClass
	for _, c := range list {
		if c.Annotations[IsDefaultStorageClassAnnotation] == "true" || c.Annotations[betaIsDefaultStorageClassAnnotation] == "true" {
			defaults = append(defaults, c)
		}
	}
	if len(defaults) == 0 {
		return nil, nil
	}
	sort.Slice(defaults, func(i, j int) bool {
		ti, tj := defaults[i].CreationTimestamp.UnixNano(), defaults[j].CreationTimestamp.UnixNano()
		if ti != tj {
			return ti > tj
		}
		return defaults[i].Name < defaults[j].Name
	})
	return defaults[0], nil
}
