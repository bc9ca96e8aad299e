package core

import (
	"context"
	"strings"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/podspec"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func podTemplates() *registry.Resource {
	return &registry.Resource{
		GroupVersion: v1.SchemeGroupVersion, Kind: "PodTemplate",
		Plural: "podtemplates", Singular: "podtemplate",
		Namespaced: true,
		New:        func() runtime.Object { return &v1.PodTemplate{} },
		NewList:    func() runtime.Object { return &v1.PodTemplateList{} },
		Strategy:   podTemplateStrategy{},
	}
}

type podTemplateStrategy struct{ registry.Base }

func (podTemplateStrategy) Default(obj runtime.Object) {
	podspec.DefaultPodSpec(&obj.(*v1.PodTemplate).Template.Spec)
}

func (podTemplateStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	pt := obj.(*v1.PodTemplate)
	errs := validateMeta(&pt.ObjectMeta, true, subdomainName)
	return append(errs, podspec.ValidatePodTemplateSpec(&pt.Template, field.NewPath("template"))...)
}

func (podTemplateStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	pt, oldPt := obj.(*v1.PodTemplate), old.(*v1.PodTemplate)
	errs := validateMetaUpdate(&pt.ObjectMeta, &oldPt.ObjectMeta, true, subdomainName)
	return append(errs, podspec.ValidatePodTemplateSpec(&pt.Template, field.NewPath("template"))...)
}

// Upstream prints pod templates without an AGE column.
func (podTemplateStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		registry.Column("Containers", "string", "Names of each container in the template.", false),
		registry.Column("Images", "string", "Images referenced by each container in the template.", false),
		registry.Column("Pod Labels", "string", "The labels for the pod template.", false),
	}
}

func (podTemplateStrategy) TableRow(obj runtime.Object) []interface{} {
	pt := obj.(*v1.PodTemplate)
	names, images := containerCells(pt.Template.Spec.Containers)
	return []interface{}{names, images, labels.FormatLabels(pt.Template.Labels)}
}

// containerCells joins container names and images with commas, for the
// CONTAINERS and IMAGES columns of every workload.
func containerCells(containers []v1.Container) (names, images string) {
	n := make([]string, len(containers))
	im := make([]string, len(containers))
	for i, c := range containers {
		n[i], im[i] = c.Name, c.Image
	}
	return strings.Join(n, ","), strings.Join(im, ",")
}
