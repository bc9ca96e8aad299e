package storagegroup

import (
	"reflect"
	"strings"
	"testing"

	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func newCSIDriver() *storagev1.CSIDriver {
	return &storagev1.CSIDriver{ObjectMeta: metav1.ObjectMeta{Name: "disk.example.com", ResourceVersion: "1"}}
}

func TestCSIDriverDefaults(t *testing.T) {
	d := newCSIDriver()
	if errs := registrytest.Create(csiDriverStrategy{}, d); len(errs) != 0 {
		t.Fatal(errs)
	}
	s := d.Spec
	if !*s.AttachRequired || *s.PodInfoOnMount || *s.StorageCapacity || *s.RequiresRepublish ||
		*s.FSGroupPolicy != storagev1.ReadWriteOnceWithFSTypeFSGroupPolicy ||
		!reflect.DeepEqual(s.VolumeLifecycleModes, []storagev1.VolumeLifecycleMode{storagev1.VolumeLifecyclePersistent}) {
		t.Errorf("defaults: %+v", s)
	}
	kept := newCSIDriver()
	kept.Spec.AttachRequired = ptr(false)
	registrytest.Create(csiDriverStrategy{}, kept)
	if *kept.Spec.AttachRequired {
		t.Error("explicit attachRequired overwritten")
	}
}

func TestCSIDriverValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*storagev1.CSIDriver)
		want   []registrytest.WantErr
	}{
		{"valid", func(*storagev1.CSIDriver) {}, nil},
		{"upper case name", func(d *storagev1.CSIDriver) { d.Name = "Disk.Example.com" }, nil},
		{"long name", func(d *storagev1.CSIDriver) { d.Name = strings.Repeat("a", 64) },
			[]registrytest.WantErr{{Type: field.ErrorTypeTooLong, Field: "metadata.name"}}},
		{"bad name", func(d *storagev1.CSIDriver) { d.Name = "disk_example" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "metadata.name"}}},
		{"bad fsGroupPolicy", func(d *storagev1.CSIDriver) { d.Spec.FSGroupPolicy = ptr(storagev1.FSGroupPolicy("Always")) },
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "spec.fsGroupPolicy"}}},
		{"bad mode", func(d *storagev1.CSIDriver) {
			d.Spec.VolumeLifecycleModes = []storagev1.VolumeLifecycleMode{"Temporary"}
		}, []registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "spec.volumeLifecycleModes[0]"}}},
		{"token requests", func(d *storagev1.CSIDriver) {
			d.Spec.TokenRequests = []storagev1.TokenRequest{{Audience: "a", ExpirationSeconds: ptr(int64(3600))}, {Audience: "b"}}
		}, nil},
		{"duplicate audience", func(d *storagev1.CSIDriver) {
			d.Spec.TokenRequests = []storagev1.TokenRequest{{Audience: "a"}, {Audience: "a"}}
		}, []registrytest.WantErr{{Type: field.ErrorTypeDuplicate, Field: "spec.tokenRequests[1].audience"}}},
		{"short token", func(d *storagev1.CSIDriver) {
			d.Spec.TokenRequests = []storagev1.TokenRequest{{Audience: "a", ExpirationSeconds: ptr(int64(60))}}
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.tokenRequests[0].expirationSeconds"}}},
		{"fast allocatable updates", func(d *storagev1.CSIDriver) { d.Spec.NodeAllocatableUpdatePeriodSeconds = ptr(int64(5)) },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.nodeAllocatableUpdatePeriodSeconds"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newCSIDriver()
			tt.mutate(d)
			registrytest.CheckErrors(t, registrytest.Create(csiDriverStrategy{}, d), tt.want...)
		})
	}
}

func TestCSIDriverUpdate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*storagev1.CSIDriver)
		want   []registrytest.WantErr
	}{
		{"podInfoOnMount", func(d *storagev1.CSIDriver) { d.Spec.PodInfoOnMount = ptr(true) }, nil},
		{"storageCapacity", func(d *storagev1.CSIDriver) { d.Spec.StorageCapacity = ptr(true) }, nil},
		{"requiresRepublish", func(d *storagev1.CSIDriver) { d.Spec.RequiresRepublish = ptr(true) }, nil},
		{"attachRequired", func(d *storagev1.CSIDriver) { d.Spec.AttachRequired = ptr(false) },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.attachRequired"}}},
		{"fsGroupPolicy", func(d *storagev1.CSIDriver) { d.Spec.FSGroupPolicy = ptr(storagev1.FileFSGroupPolicy) }, nil},
		{"modes", func(d *storagev1.CSIDriver) {
			d.Spec.VolumeLifecycleModes = append(d.Spec.VolumeLifecycleModes, storagev1.VolumeLifecycleEphemeral)
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.volumeLifecycleModes"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := newCSIDriver()
			registrytest.Create(csiDriverStrategy{}, old)
			d := old.DeepCopy()
			tt.mutate(d)
			registrytest.CheckErrors(t, registrytest.Update(csiDriverStrategy{}, d, old), tt.want...)
		})
	}
}

func TestCSIDriverTable(t *testing.T) {
	want := []string{"AttachRequired", "PodInfoOnMount", "StorageCapacity", "TokenRequests", "RequiresRepublish", "Modes", "Age"}
	if got := registrytest.ColumnNames(csiDriverStrategy{}); !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v", got)
	}
	d := newCSIDriver()
	registrytest.Create(csiDriverStrategy{}, d)
	registrytest.CheckTable(t, csiDriverStrategy{}, d, []interface{}{true, false, false, "<unset>", false, "Persistent", ""})
	d.Spec.TokenRequests = []storagev1.TokenRequest{{Audience: "a"}, {Audience: "b"}}
	d.Spec.VolumeLifecycleModes = append(d.Spec.VolumeLifecycleModes, storagev1.VolumeLifecycleEphemeral)
	registrytest.CheckTable(t, csiDriverStrategy{}, d, []interface{}{true, false, false, "a,b", false, "Persistent,Ephemeral", ""})
}
