package plugins

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	storagelisters "k8s.io/client-go/listers/storage/v1"
	"k8s.io/utils/ptr"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

func TestDefaultStorageClass(t *testing.T) {
	base := time.Unix(1_700_000_000, 0)
	class := func(name string, isDefault string, age time.Duration) *storagev1.StorageClass {
		c := &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: name, CreationTimestamp: metav1.NewTime(base.Add(-age))}}
		if isDefault != "" {
			c.Annotations = map[string]string{IsDefaultStorageClassAnnotation: isDefault}
		}
		return c
	}
	gvr := corev1.SchemeGroupVersion.WithResource("persistentvolumeclaims")
	tests := []struct {
		name    string
		classes []*storagev1.StorageClass
		claim   *string
		beta    bool
		want    *string
	}{
		{name: "no default", classes: []*storagev1.StorageClass{class("a", "", 0)}, want: nil},
		{name: "the default", classes: []*storagev1.StorageClass{class("a", "", 0), class("local", "true", time.Hour)}, want: ptr.To("local")},
		{name: "not \"true\"", classes: []*storagev1.StorageClass{class("a", "yes", 0)}, want: nil},
		{name: "newest default wins", classes: []*storagev1.StorageClass{class("old", "true", time.Hour), class("new", "true", time.Minute)}, want: ptr.To("new")},
		{name: "same age: first by name", classes: []*storagev1.StorageClass{class("b", "true", time.Hour), class("a", "true", time.Hour)}, want: ptr.To("a")},
		{name: "named class kept", classes: []*storagev1.StorageClass{class("local", "true", 0)}, claim: ptr.To("fast"), want: ptr.To("fast")},
		{name: "empty class kept", classes: []*storagev1.StorageClass{class("local", "true", 0)}, claim: ptr.To(""), want: ptr.To("")},
		{name: "beta annotation kept", classes: []*storagev1.StorageClass{class("local", "true", 0)}, beta: true, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idx := indexer(t)
			for _, c := range tt.classes {
				_ = idx.Add(c)
			}
			pvc := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "data"}}
			pvc.Spec.StorageClassName = tt.claim
			if tt.beta {
				pvc.Annotations = map[string]string{corev1.BetaStorageClassAnnotation: "slow"}
			}
			plugin := &DefaultStorageClass{Classes: storagelisters.NewStorageClassLister(idx)}
			if err := plugin.Admit(context.Background(), attrs(admission.Create, gvr, "PersistentVolumeClaim", pvc, nil)); err != nil {
				t.Fatal(err)
			}
			if ptr.Deref(pvc.Spec.StorageClassName, "<nil>") != ptr.Deref(tt.want, "<nil>") {
				t.Errorf("class %v, want %v", ptr.Deref(pvc.Spec.StorageClassName, "<nil>"), ptr.Deref(tt.want, "<nil>"))
			}
		})
	}
}
