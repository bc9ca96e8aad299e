package webhook

import (
	"context"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

// Validating is the ValidatingAdmissionWebhook plugin (an
// admission.Validator).
type Validating struct {
	d *dispatcher
}

var _ admission.Validator = (*Validating)(nil)

// NewValidating returns the plugin reading deps.ValidatingConfigs.
func NewValidating(deps Deps) *Validating {
	return &Validating{d: newDispatcher(deps, "ValidatingAdmissionWebhook")}
}

// Validate calls every matching validating webhook at once (they may not
// change the object, so their order does not matter) and returns the
// first refusal or failure in webhook order, so the answer a client gets
// does not depend on which webhook was quicker.
func (v *Validating) Validate(ctx context.Context, a *admission.Attributes) error {
	if v.d.deps.ValidatingConfigs == nil || exempt(a) {
		return nil
	}
	if err := v.d.waitReady(ctx, a); err != nil {
		return err
	}
	configs, err := v.d.deps.ValidatingConfigs.List(labels.Everything())
	if err != nil {
		return apierrors.NewInternalError(err)
	}
	hooks := validatingHooks(configs)
	// Selectors and the dry-run check run first, in order, so an error of
	// theirs is reported without calling anything.
	var call []*hook
	for i := range hooks {
		ok, err := v.d.shouldCall(ctx, &hooks[i], a)
		if err != nil {
			return err
		}
		if ok {
			call = append(call, &hooks[i])
		}
	}
	errs := make([]error, len(call))
	var wg sync.WaitGroup
	for i, h := range call {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = v.validateOne(ctx, h, a)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (v *Validating) validateOne(ctx context.Context, h *hook, a *admission.Attributes) error {
	resp, err := v.d.call(ctx, h, a)
	if err != nil {
		return v.d.handleFailure(h, a, err)
	}
	if !resp.Allowed {
		return denied(h.name, resp.Result)
	}
	return nil
}
