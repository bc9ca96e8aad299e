package admission

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestNamespaceLifecycle(t *testing.T) {
	namespaces := map[string]corev1.NamespacePhase{"live": corev1.NamespaceActive, "dying": corev1.NamespaceTerminating}
	l := &NamespaceLifecycle{
		Immortal: []string{"kube-system"},
		Namespace: func(_ context.Context, name string, _ bool) (*corev1.Namespace, error) {
			phase, ok := namespaces[name]
			if !ok {
				return nil, apierrors.NewNotFound(corev1.Resource("namespaces"), name)
			}
			return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: corev1.NamespaceStatus{Phase: phase}}, nil
		},
	}
	pod := corev1.SchemeGroupVersion.WithKind("Pod")
	node := corev1.SchemeGroupVersion.WithKind("Node")
	ns := corev1.SchemeGroupVersion.WithKind("Namespace")
	tests := []struct {
		name      string
		op        Operation
		kind      schema.GroupVersionKind
		namespace string
		object    string
		check     func(error) bool
	}{
		{"create in a live namespace", Create, pod, "live", "p", nil},
		{"create in a missing namespace", Create, pod, "gone", "p", apierrors.IsNotFound},
		{"create in a terminating namespace", Create, pod, "dying", "p", apierrors.IsForbidden},
		{"update in a terminating namespace", Update, pod, "dying", "p", nil},
		{"delete in a missing namespace", Delete, pod, "gone", "p", nil},
		{"cluster-scoped", Create, node, "", "n", nil},
		{"create a namespace", Create, ns, "", "new", nil},
		{"delete a namespace", Delete, ns, "", "live", nil},
		{"delete an immortal namespace", Delete, ns, "", "kube-system", apierrors.IsForbidden},
		{"update an immortal namespace", Update, ns, "", "kube-system", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := l.Validate(context.Background(), &Attributes{
				Operation: tt.op, Kind: tt.kind, Namespace: tt.namespace, Name: tt.object,
				Resource: corev1.SchemeGroupVersion.WithResource("pods"),
			})
			switch {
			case tt.check == nil && err != nil:
				t.Errorf("refused: %v", err)
			case tt.check != nil && !tt.check(err):
				t.Errorf("got %v", err)
			}
		})
	}
}

// TestNamespaceLifecycleLiveLookup: after a namespace's deletion, creates
// in it read the namespace live (the cache may still show it Active) until
// the window passes.
func TestNamespaceLifecycleLiveLookup(t *testing.T) {
	now := time.Unix(1000, 0)
	var lastLive bool
	l := &NamespaceLifecycle{
		now: func() time.Time { return now },
		Namespace: func(_ context.Context, name string, live bool) (*corev1.Namespace, error) {
			lastLive = live
			return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, nil
		},
	}
	create := &Attributes{Operation: Create, Kind: corev1.SchemeGroupVersion.WithKind("Pod"), Namespace: "ns", Name: "p"}
	steps := []struct {
		name string
		do   func()
		live bool
	}{
		{"before any deletion", func() {}, false},
		{"after the namespace's deletion", func() {
			_ = l.Validate(context.Background(), &Attributes{Operation: Delete, Kind: corev1.SchemeGroupVersion.WithKind("Namespace"), Name: "ns"})
		}, true},
		{"still within the window", func() { now = now.Add(29 * time.Second) }, true},
		{"after the window", func() { now = now.Add(2 * time.Second) }, false},
	}
	for _, st := range steps {
		st.do()
		if err := l.Validate(context.Background(), create); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if lastLive != st.live {
			t.Errorf("%s: live lookup %v, want %v", st.name, lastLive, st.live)
		}
	}
}
