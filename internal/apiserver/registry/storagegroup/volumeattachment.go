package storagegroup

import (
	"context"

	storagev1 "k8s.io/api/storage/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// Upstream's bounds on what an attacher reports back: metadata is handed
// to the node on every mount, errors are shown to people.
const (
	maxAttachmentMetadataSize = 256 * (1 << 10)
	maxVolumeErrorMessageSize = 1024
)

// volumeAttachmentStrategy is storage.k8s.io/v1 VolumeAttachment: a request
// to attach one volume to one node, answered by the attacher in status.
type volumeAttachmentStrategy struct{ registry.Base }

func (volumeAttachmentStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	va := obj.(*storagev1.VolumeAttachment)
	errs := apivalidation.ValidateObjectMeta(&va.ObjectMeta, false, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateAttachmentSpec(&va.Spec, field.NewPath("spec"))...)
}

// ValidateUpdate freezes the spec: an attachment is for one volume on one
// node; anything else is a new attachment.
func (volumeAttachmentStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	va, o := obj.(*storagev1.VolumeAttachment), old.(*storagev1.VolumeAttachment)
	errs := apivalidation.ValidateObjectMetaUpdate(&va.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateAttachmentSpec(&va.Spec, field.NewPath("spec"))...)
	if !apiequality.Semantic.DeepEqual(va.Spec, o.Spec) {
		errs = append(errs, field.Invalid(field.NewPath("spec"), va.Spec, "field is immutable"))
	}
	return errs
}

func (volumeAttachmentStrategy) ValidateStatusUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	va, o := obj.(*storagev1.VolumeAttachment), old.(*storagev1.VolumeAttachment)
	errs := apivalidation.ValidateObjectMetaUpdate(&va.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	return append(errs, validateAttachmentStatus(&va.Status, field.NewPath("status"))...)
}

func validateAttachmentSpec(s *storagev1.VolumeAttachmentSpec, p *field.Path) field.ErrorList {
	errs := registry.ValidateDriverName(s.Attacher, p.Child("attacher"))
	if s.NodeName == "" {
		errs = append(errs, field.Required(p.Child("nodeName"), ""))
	} else {
		for _, msg := range apivalidation.NameIsDNSSubdomain(s.NodeName, false) {
			errs = append(errs, field.Invalid(p.Child("nodeName"), s.NodeName, msg))
		}
	}
	sp := p.Child("source")
	switch pv, inline := s.Source.PersistentVolumeName, s.Source.InlineVolumeSpec; {
	case pv == nil && inline == nil:
		errs = append(errs, field.Required(sp, "must specify exactly one of inlineVolumeSpec and persistentVolumeName"))
	case pv != nil && inline != nil:
		errs = append(errs, field.Forbidden(sp, "must specify exactly one of inlineVolumeSpec and persistentVolumeName"))
	case pv != nil:
		if *pv == "" {
			errs = append(errs, field.Required(sp.Child("persistentVolumeName"), "must specify non empty persistentVolumeName"))
		}
	case inline.CSI == nil:
		// Only CSI volumes are attached through VolumeAttachments.
		errs = append(errs, field.Required(sp.Child("inlineVolumeSpec", "csi"), "must specify a CSI volume source"))
	}
	return errs
}

func validateAttachmentStatus(s *storagev1.VolumeAttachmentStatus, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	size := 0
	for k, v := range s.AttachmentMetadata {
		size += len(k) + len(v)
	}
	if size > maxAttachmentMetadataSize {
		errs = append(errs, field.TooLong(p.Child("attachmentMetadata"), "", maxAttachmentMetadataSize))
	}
	for name, e := range map[string]*storagev1.VolumeError{"attachError": s.AttachError, "detachError": s.DetachError} {
		if e != nil && len(e.Message) > maxVolumeErrorMessageSize {
			errs = append(errs, field.TooLong(p.Child(name, "message"), "", maxVolumeErrorMessageSize))
		}
	}
	return errs
}

// TableColumns are kubectl's: ATTACHER PV NODE ATTACHED AGE.
func (volumeAttachmentStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		registry.Column("Attacher", "string", "Attacher indicates the name of the volume driver that MUST handle this request.", false),
		registry.Column("PV", "string", "Name of the persistent volume to attach.", false),
		registry.Column("Node", "string", "The node that the volume should be attached to.", false),
		registry.Column("Attached", "boolean", "Indicates the volume is successfully attached.", false),
		registry.AgeColumn,
	}
}

func (volumeAttachmentStrategy) TableRow(obj runtime.Object) []interface{} {
	va := obj.(*storagev1.VolumeAttachment)
	pv := ""
	if va.Spec.Source.PersistentVolumeName != nil {
		pv = *va.Spec.Source.PersistentVolumeName
	}
	return []interface{}{va.Spec.Attacher, pv, va.Spec.NodeName, va.Status.Attached, registry.Age(obj)}
}
