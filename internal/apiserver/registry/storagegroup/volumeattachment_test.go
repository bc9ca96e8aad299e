package storagegroup

import (
	"context"
	"reflect"
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func newAttachment() *storagev1.VolumeAttachment {
	return &storagev1.VolumeAttachment{
		ObjectMeta: metav1.ObjectMeta{Name: "csi-0123", ResourceVersion: "1"},
		Spec: storagev1.VolumeAttachmentSpec{
			Attacher: "disk.example.com", NodeName: "node-1",
			Source: storagev1.VolumeAttachmentSource{PersistentVolumeName: ptr("pv-1")},
		},
	}
}

func TestVolumeAttachmentValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*storagev1.VolumeAttachment)
		want   []registrytest.WantErr
	}{
		{"valid", func(*storagev1.VolumeAttachment) {}, nil},
		{"inline CSI volume", func(va *storagev1.VolumeAttachment) {
			va.Spec.Source = storagev1.VolumeAttachmentSource{InlineVolumeSpec: &v1.PersistentVolumeSpec{
				PersistentVolumeSource: v1.PersistentVolumeSource{CSI: &v1.CSIPersistentVolumeSource{Driver: "disk.example.com", VolumeHandle: "h"}},
			}}
		}, nil},
		{"no attacher", func(va *storagev1.VolumeAttachment) { va.Spec.Attacher = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.attacher"}}},
		{"no node", func(va *storagev1.VolumeAttachment) { va.Spec.NodeName = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.nodeName"}}},
		{"no source", func(va *storagev1.VolumeAttachment) { va.Spec.Source = storagev1.VolumeAttachmentSource{} },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.source"}}},
		{"two sources", func(va *storagev1.VolumeAttachment) {
			va.Spec.Source.InlineVolumeSpec = &v1.PersistentVolumeSpec{}
		}, []registrytest.WantErr{{Type: field.ErrorTypeForbidden, Field: "spec.source"}}},
		{"empty PV name", func(va *storagev1.VolumeAttachment) { va.Spec.Source.PersistentVolumeName = ptr("") },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.source.persistentVolumeName"}}},
		{"inline non-CSI", func(va *storagev1.VolumeAttachment) {
			va.Spec.Source = storagev1.VolumeAttachmentSource{InlineVolumeSpec: &v1.PersistentVolumeSpec{}}
		}, []registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.source.inlineVolumeSpec.csi"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			va := newAttachment()
			tt.mutate(va)
			registrytest.CheckErrors(t, registrytest.Create(volumeAttachmentStrategy{}, va), tt.want...)
		})
	}
}

func TestVolumeAttachmentUpdate(t *testing.T) {
	old := newAttachment()
	registrytest.Create(volumeAttachmentStrategy{}, old)
	labels := old.DeepCopy()
	labels.Labels = map[string]string{"a": "b"}
	registrytest.CheckErrors(t, registrytest.Update(volumeAttachmentStrategy{}, labels, old))
	moved := old.DeepCopy()
	moved.Spec.NodeName = "node-2"
	registrytest.CheckErrors(t, registrytest.Update(volumeAttachmentStrategy{}, moved, old),
		registrytest.WantErr{Type: field.ErrorTypeInvalid, Field: "spec"})
}

func TestVolumeAttachmentStatus(t *testing.T) {
	ctx := context.Background()
	s := volumeAttachmentStrategy{}
	old := newAttachment()
	registrytest.Create(s, old)

	attached := old.DeepCopy()
	attached.Status = storagev1.VolumeAttachmentStatus{Attached: true, AttachmentMetadata: map[string]string{"dev": "/dev/sdb"}}
	attached.Spec.NodeName = "sneaky" // ignored through /status
	s.PrepareForStatusUpdate(ctx, attached, old)
	if attached.Spec.NodeName != "node-1" || !attached.Status.Attached {
		t.Fatalf("status update kept %+v", attached)
	}
	registrytest.CheckErrors(t, s.ValidateStatusUpdate(ctx, attached, old))

	failed := old.DeepCopy()
	failed.Status.AttachError = &storagev1.VolumeError{Message: strings.Repeat("x", 1025)}
	registrytest.CheckErrors(t, s.ValidateStatusUpdate(ctx, failed, old),
		registrytest.WantErr{Type: field.ErrorTypeTooLong, Field: "status.attachError.message"})

	// Status set on create is dropped: only the attacher reports it.
	created := newAttachment()
	created.Status.Attached = true
	registrytest.Create(s, created)
	if created.Status.Attached {
		t.Error("create kept status")
	}
}

func TestVolumeAttachmentTable(t *testing.T) {
	want := []string{"Attacher", "PV", "Node", "Attached", "Age"}
	if got := registrytest.ColumnNames(volumeAttachmentStrategy{}); !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v", got)
	}
	va := newAttachment()
	registrytest.CheckTable(t, volumeAttachmentStrategy{}, va, []interface{}{"disk.example.com", "pv-1", "node-1", false, ""})
}
