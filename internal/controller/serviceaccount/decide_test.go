package serviceaccount

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestMissing(t *testing.T) {
	now := metav1.Now()
	active := &corev1.Namespace{Status: corev1.NamespaceStatus{Phase: corev1.NamespaceActive}}
	deleting := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: &now}}
	terminating := &corev1.Namespace{Status: corev1.NamespaceStatus{Phase: corev1.NamespaceTerminating}}
	none := func(string) bool { return false }
	all := func(string) bool { return true }
	tests := []struct {
		name   string
		ns     *corev1.Namespace
		exists func(string) bool
		want   []string
	}{
		{"active namespace without default", active, none, []string{"default"}},
		{"active namespace with default", active, all, nil},
		{"namespace being deleted", deleting, none, nil},
		{"terminating namespace", terminating, none, nil},
		{"no namespace", nil, none, nil},
		{"phase not yet set counts as active", &corev1.Namespace{}, none, []string{"default"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := missing(tt.ns, tt.exists); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("missing = %v, want %v", got, tt.want)
			}
		})
	}
}
