package webhook

import (
	"context"
	"fmt"

	admissionv1 "k8s.io/api/admission/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

// Mutating is the MutatingAdmissionWebhook plugin (an admission.Mutator).
type Mutating struct {
	d *dispatcher
}

var _ admission.Mutator = (*Mutating)(nil)

// NewMutating returns the plugin reading deps.MutatingConfigs.
func NewMutating(deps Deps) *Mutating {
	return &Mutating{d: newDispatcher(deps, "MutatingAdmissionWebhook")}
}

// Admit calls the matching mutating webhooks in order, applying each
// patch before the next call, then calls once more each webhook with
// reinvocationPolicy IfNeeded that ran before a later change to the
// object: a webhook that injects a sidecar sees the volumes another
// webhook added after it.
func (m *Mutating) Admit(ctx context.Context, a *admission.Attributes) error {
	if m.d.deps.MutatingConfigs == nil || exempt(a) {
		return nil
	}
	if err := m.d.waitReady(ctx, a); err != nil {
		return err
	}
	configs, err := m.d.deps.MutatingConfigs.List(labels.Everything())
	if err != nil {
		return apierrors.NewInternalError(err)
	}
	hooks := mutatingHooks(configs)
	// changes counts changes to the object; seenAt[i] is the count when
	// hook i last ran, or -1 when it did not run.
	changes := 0
	seenAt := make([]int, len(hooks))
	for i := range hooks {
		called, changed, err := m.admitOne(ctx, &hooks[i], a)
		if err != nil {
			return err
		}
		if changed {
			changes++
		}
		seenAt[i] = -1
		if called {
			seenAt[i] = changes
		}
	}
	for i := range hooks {
		if !hooks[i].reinvoke || seenAt[i] < 0 || seenAt[i] == changes {
			continue
		}
		_, changed, err := m.admitOne(ctx, &hooks[i], a)
		if err != nil {
			return err
		}
		if changed {
			changes++
		}
		seenAt[i] = changes
	}
	return nil
}

// admitOne calls h when it applies and applies its patch. called is false
// when h did not apply or failed open.
func (m *Mutating) admitOne(ctx context.Context, h *hook, a *admission.Attributes) (called, changed bool, err error) {
	ok, err := m.d.shouldCall(ctx, h, a)
	if err != nil || !ok {
		return false, false, err
	}
	resp, err := m.d.call(ctx, h, a)
	if err != nil {
		return false, false, m.d.handleFailure(h, a, err)
	}
	if !resp.Allowed {
		return true, false, denied(h.name, resp.Result)
	}
	if len(resp.Patch) == 0 {
		return true, false, nil
	}
	if resp.PatchType == nil || *resp.PatchType != admissionv1.PatchTypeJSONPatch {
		got := "none"
		if resp.PatchType != nil {
			got = string(*resp.PatchType)
		}
		err := &callError{webhook: h.name, err: fmt.Errorf("expected patchType %q with a patch, got %s", admissionv1.PatchTypeJSONPatch, got)}
		return false, false, m.d.handleFailure(h, a, err)
	}
	if a.Object == nil {
		return true, false, apierrors.NewInternalError(fmt.Errorf(
			"admission webhook %q attempted to modify the object, which is not supported for this operation", h.name))
	}
	changed, err = applyPatch(a.Object, a.Kind, resp.Patch)
	if err != nil {
		return true, false, apierrors.NewInternalError(fmt.Errorf("admission webhook %q returned a patch that does not apply: %w", h.name, err))
	}
	return true, changed, nil
}
