package apiserver

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

type recordingPlugin struct{ seen []*admission.Attributes }

func (p *recordingPlugin) Admit(_ context.Context, a *admission.Attributes) error {
	p.seen = append(p.seen, a)
	return nil
}

func (p *recordingPlugin) Validate(_ context.Context, a *admission.Attributes) error {
	p.seen = append(p.seen, a)
	return nil
}

// TestAdmitConnect: a CONNECT reaches both admission phases with the
// options object and kind, as upstream hands them to webhooks.
func TestAdmitConnect(t *testing.T) {
	rec := &recordingPlugin{}
	s, err := New(Config{Admission: &admission.Chain{Mutators: []admission.Mutator{rec}, Validators: []admission.Validator{rec}}})
	if err != nil {
		t.Fatal(err)
	}
	info := &RequestInfo{IsResourceRequest: true, Verb: "create", APIVersion: "v1", Namespace: "ns", Resource: "pods", Name: "p", Subresource: "exec"}
	opts := &corev1.PodExecOptions{Command: []string{"ls"}, Stdout: true}
	gvk := corev1.SchemeGroupVersion.WithKind("PodExecOptions")
	ctx := authn.WithUser(context.Background(), &authn.User{Name: "alice"})
	if err := s.AdmitConnect(ctx, info, gvk, opts); err != nil {
		t.Fatal(err)
	}
	if len(rec.seen) != 2 {
		t.Fatalf("admission ran %d times, want mutating and validating", len(rec.seen))
	}
	a := rec.seen[1]
	if a.Operation != admission.Connect || a.Kind != gvk || a.Object != opts || a.Subresource != "exec" ||
		a.Resource.Resource != "pods" || a.Name != "p" || a.Namespace != "ns" || a.User == nil || a.User.Name != "alice" {
		t.Errorf("attributes %+v", a)
	}
}
