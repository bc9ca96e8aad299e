package core

import (
	v1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// PrepareNamespaceFinalize readies a PUT to namespaces/<name>/finalize:
// only spec.finalizers comes from the request, everything else from the
// stored namespace. The namespace controller uses it to remove the
// "kubernetes" finalizer once the namespace is empty.
func PrepareNamespaceFinalize(ns, old *v1.Namespace) {
	finalizers := ns.Spec.Finalizers
	*ns = *old.DeepCopy()
	ns.Spec.Finalizers = finalizers
}

// ValidateNamespaceFinalize checks a finalize request after
// PrepareNamespaceFinalize.
func ValidateNamespaceFinalize(ns, old *v1.Namespace) field.ErrorList {
	errs := apivalidation.ValidateObjectMetaUpdate(&ns.ObjectMeta, &old.ObjectMeta, metadataPath)
	return append(errs, validateNamespaceFinalizers(ns.Spec.Finalizers)...)
}
