package core

import (
	"context"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	v1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// maxDataSize bounds configmaps and secrets: they are stored in one etcd
// value and mounted whole into pods.
const maxDataSize = 1 * 1024 * 1024

const immutableDataMsg = "field is immutable when `immutable` is set"

func configMaps() *registry.Resource {
	return &registry.Resource{
		GroupVersion: v1.SchemeGroupVersion, Kind: "ConfigMap",
		Plural: "configmaps", Singular: "configmap", ShortNames: []string{"cm"},
		Namespaced: true,
		New:        func() runtime.Object { return &v1.ConfigMap{} },
		NewList:    func() runtime.Object { return &v1.ConfigMapList{} },
		Strategy:   configMapStrategy{},
	}
}

type configMapStrategy struct{ registry.Base }

func (configMapStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	cm := obj.(*v1.ConfigMap)
	return append(validateMeta(&cm.ObjectMeta, true, subdomainName), validateConfigMapData(cm)...)
}

func validateConfigMapData(cm *v1.ConfigMap) field.ErrorList {
	var errs field.ErrorList
	total := 0
	for key, value := range cm.Data {
		p := field.NewPath("data").Key(key)
		for _, msg := range utilvalidation.IsConfigMapKey(key) {
			errs = append(errs, field.Invalid(p, key, msg))
		}
		// Both bags are projected into the same directory.
		if _, dup := cm.BinaryData[key]; dup {
			errs = append(errs, field.Invalid(p, key, "duplicate of key present in binaryData"))
		}
		total += len(value)
	}
	for key, value := range cm.BinaryData {
		for _, msg := range utilvalidation.IsConfigMapKey(key) {
			errs = append(errs, field.Invalid(field.NewPath("binaryData").Key(key), key, msg))
		}
		total += len(value)
	}
	sortErrs(errs)
	if total > maxDataSize {
		// An empty path: the size is the whole object's problem.
		errs = append(errs, field.TooLong(field.NewPath(""), "", maxDataSize))
	}
	return errs
}

// ValidateUpdate honours `immutable: true`: once set, neither the data nor
// the flag may change (kubelets stop watching such objects).
func (configMapStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	cm, oldCm := obj.(*v1.ConfigMap), old.(*v1.ConfigMap)
	errs := validateMetaUpdate(&cm.ObjectMeta, &oldCm.ObjectMeta, true, subdomainName)
	if oldCm.Immutable != nil && *oldCm.Immutable {
		if cm.Immutable == nil || !*cm.Immutable {
			errs = append(errs, field.Forbidden(field.NewPath("immutable"), immutableDataMsg))
		}
		if !sameStrings(cm.Data, oldCm.Data) {
			errs = append(errs, field.Forbidden(field.NewPath("data"), immutableDataMsg))
		}
		if !sameBytes(cm.BinaryData, oldCm.BinaryData) {
			errs = append(errs, field.Forbidden(field.NewPath("binaryData"), immutableDataMsg))
		}
	}
	return append(errs, validateConfigMapData(cm)...)
}

// sameStrings and sameBytes treat nil and empty maps alike: a client that
// sends `data: {}` back has not changed anything.
func sameStrings(a, b map[string]string) bool {
	return (len(a) == 0 && len(b) == 0) || apiequality.Semantic.DeepEqual(a, b)
}

func sameBytes(a, b map[string][]byte) bool {
	return (len(a) == 0 && len(b) == 0) || apiequality.Semantic.DeepEqual(a, b)
}

func (configMapStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		registry.Column("Data", "string", "Data contains the configuration data.", false),
		registry.AgeColumn,
	}
}

func (configMapStrategy) TableRow(obj runtime.Object) []interface{} {
	cm := obj.(*v1.ConfigMap)
	return []interface{}{int64(len(cm.Data) + len(cm.BinaryData)), registry.Age(obj)}
}
