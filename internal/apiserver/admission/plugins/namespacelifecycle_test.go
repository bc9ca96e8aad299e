package plugins

import (
	"context"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

// TestNamespaceLookup: the lister answers, the API answers what the
// lister has not seen yet, and a live read skips the lister.
func TestNamespaceLookup(t *testing.T) {
	cached := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "ns"}, Status: corev1.NamespaceStatus{Phase: corev1.NamespaceActive}}
	dying := cached.DeepCopy()
	dying.Status.Phase = corev1.NamespaceTerminating
	fresh := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "fresh"}}
	lister := corelisters.NewNamespaceLister(indexer(t, cached))
	client := fake.NewClientset(dying, fresh)
	tests := []struct {
		name      string
		lister    corelisters.NamespaceLister
		client    corev1client.NamespacesGetter
		ns        string
		live      bool
		wantPhase corev1.NamespacePhase
		notFound  bool
	}{
		{name: "from the lister", lister: lister, client: client.CoreV1(), ns: "ns", wantPhase: corev1.NamespaceActive},
		{name: "live skips the lister", lister: lister, client: client.CoreV1(), ns: "ns", live: true, wantPhase: corev1.NamespaceTerminating},
		{name: "lister miss read live", lister: lister, client: client.CoreV1(), ns: "fresh"},
		{name: "missing everywhere", lister: lister, client: client.CoreV1(), ns: "ghost", notFound: true},
		{name: "no client", lister: lister, ns: "fresh", notFound: true},
		{name: "no client, live asked", lister: lister, ns: "ns", live: true, wantPhase: corev1.NamespaceActive},
		{name: "no lister", client: client.CoreV1(), ns: "fresh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns, err := NamespaceLookup(tt.lister, tt.client)(context.Background(), tt.ns, tt.live)
			if tt.notFound {
				if !apierrors.IsNotFound(err) {
					t.Fatalf("got %v, %v", ns, err)
				}
				return
			}
			if err != nil || ns.Name != tt.ns || ns.Status.Phase != tt.wantPhase {
				t.Fatalf("got %v, %v", ns, err)
			}
		})
	}
}

// TestNamespaceLifecycleInChain: refusals through NewNamespaceLifecycle.
func TestNamespaceLifecycleInChain(t *testing.T) {
	dying := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "dying"}, Status: corev1.NamespaceStatus{Phase: corev1.NamespaceTerminating}}
	l := NewNamespaceLifecycle(corelisters.NewNamespaceLister(indexer(t, dying)), nil)
	nsGVR := corev1.SchemeGroupVersion.WithResource("namespaces")
	tests := []struct {
		name string
		a    *admission.Attributes
		want string
	}{
		{"create in a missing namespace", createPod(pod("ghost", "p")), `namespaces "ghost" not found`},
		{"create in a terminating namespace", createPod(pod("dying", "p")),
			`pods "p" is forbidden: unable to create new content in namespace dying because it is being terminated`},
		{"delete kube-system", attrs(admission.Delete, nsGVR, "Namespace", nil, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "kube-system"}}),
			`namespaces "kube-system" is forbidden: this namespace may not be deleted`},
		{"delete default", attrs(admission.Delete, nsGVR, "Namespace", nil, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "default"}}),
			`namespaces "default" is forbidden: this namespace may not be deleted`},
		{"delete kube-public", attrs(admission.Delete, nsGVR, "Namespace", nil, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "kube-public"}}),
			`namespaces "kube-public" is forbidden: this namespace may not be deleted`},
		{"access review in a missing namespace", attrs(admission.Create,
			authorizationv1.SchemeGroupVersion.WithResource("localsubjectaccessreviews"), "LocalSubjectAccessReview",
			&authorizationv1.LocalSubjectAccessReview{ObjectMeta: metav1.ObjectMeta{Namespace: "ghost"}}, nil), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, l.Admit(context.Background(), tt.a), tt.want)
			expect(t, l.Validate(context.Background(), tt.a), tt.want)
		})
	}
}
