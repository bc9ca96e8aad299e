package rootcacert

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestDesired(t *testing.T) {
	ca := []byte("-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n")
	right := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: ConfigMapName, Annotations: map[string]string{DescriptionAnnotation: Description, "user": "kept"}, Labels: map[string]string{"l": "kept"}},
		Data:       map[string]string{DataKey: string(ca)},
	}
	withData := func(data map[string]string) *corev1.ConfigMap { cm := right.DeepCopy(); cm.Data = data; return cm }
	noDescription := right.DeepCopy()
	noDescription.Annotations = nil
	withBinary := right.DeepCopy()
	withBinary.BinaryData = map[string][]byte{"x": {1}}
	tests := []struct {
		name           string
		current        *corev1.ConfigMap
		create, update bool
	}{
		{"none: create", nil, true, false},
		{"right: nothing", right, false, false},
		{"other CA: update", withData(map[string]string{DataKey: "other"}), false, true},
		{"extra key: update", withData(map[string]string{DataKey: string(ca), "extra": "x"}), false, true},
		{"no data: update", withData(nil), false, true},
		{"description removed: update", noDescription, false, true},
		{"binary data added: update", withBinary, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.current.DeepCopy()
			create, update := desired(tt.current, ca)
			if !equality.Semantic.DeepEqual(before, tt.current) {
				t.Error("desired changed the cached object")
			}
			if (create != nil) != tt.create || (update != nil) != tt.update {
				t.Fatalf("desired: create %v update %v, want create %v update %v", create != nil, update != nil, tt.create, tt.update)
			}
			out := create
			if update != nil {
				out = update
				if out.Labels["l"] != tt.current.Labels["l"] || (tt.current.Annotations["user"] != "" && out.Annotations["user"] != "kept") {
					t.Errorf("update dropped the user's labels or annotations: %v %v", out.Labels, out.Annotations)
				}
			}
			if out != nil {
				if out.Name != ConfigMapName || out.Data[DataKey] != string(ca) || len(out.Data) != 1 || len(out.BinaryData) != 0 || out.Annotations[DescriptionAnnotation] != Description {
					t.Errorf("wrong ConfigMap: %+v", out)
				}
			}
		})
	}
}

func TestActive(t *testing.T) {
	now := metav1.Now()
	tests := []struct {
		ns   corev1.Namespace
		want bool
	}{
		{corev1.Namespace{Status: corev1.NamespaceStatus{Phase: corev1.NamespaceActive}}, true},
		{corev1.Namespace{}, true},
		{corev1.Namespace{Status: corev1.NamespaceStatus{Phase: corev1.NamespaceTerminating}}, false},
		{corev1.Namespace{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: &now}}, false},
	}
	for i, tt := range tests {
		if got := active(&tt.ns); got != tt.want {
			t.Errorf("%d: active = %v, want %v", i, got, tt.want)
		}
	}
}
