package controlplane

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
	"github.com/hanok-dev/hanok/internal/apiserver/admission/plugins"
	"github.com/hanok-dev/hanok/internal/apiserver/admission/webhook"
	"github.com/hanok-dev/hanok/internal/apiserver/authz/rbac"
)

// newAdmission is the pipeline's admission stage: RBAC's escalation check,
// then the built-in plugins in upstream's order with the webhook plugins in
// their places (see plugins.NewChain). Every plugin reads through the auth data's informer
// factory, so each kind is listed and watched once for the whole server;
// the informers are registered here and started by the start hook, before
// the server writes anything of its own.
//
// liveNamespace reads a namespace from storage when the informer has not
// seen it yet; it is set once the server exists (the server needs the
// chain to be built first).
func newAdmission(a *auth, disable []string, liveNamespace *func(ctx context.Context, name string) (*corev1.Namespace, error)) *admission.Chain {
	f := a.data.factory
	deps := plugins.DepsFrom(f, a.client)
	deps.Disable = disable

	registration := f.Admissionregistration().V1()
	core := f.Core().V1()
	hooks := webhook.Deps{
		MutatingConfigs:   registration.MutatingWebhookConfigurations().Lister(),
		ValidatingConfigs: registration.ValidatingWebhookConfigurations().Lister(),
		Namespaces:        core.Namespaces().Lister(),
		Services:          core.Services().Lister(),
		Endpoints:         core.Endpoints().Lister(),
		LiveNamespace: func(ctx context.Context, name string) (*corev1.Namespace, error) {
			return (*liveNamespace)(ctx, name)
		},
	}
	hooks.HasSynced = webhook.AllSynced(
		registration.MutatingWebhookConfigurations().Informer().HasSynced,
		registration.ValidatingWebhookConfigurations().Informer().HasSynced,
		core.Namespaces().Informer().HasSynced,
		core.Services().Informer().HasSynced,
		core.Endpoints().Informer().HasSynced)
	deps.MutatingWebhooks = webhook.NewMutating(hooks)
	deps.ValidatingWebhooks = webhook.NewValidating(hooks)
	chain := plugins.NewChain(deps)
	// RBAC's escalation check is part of RBAC, not a plugin one may
	// disable: it validates first.
	guard := &rbac.EscalationGuard{Authorizer: a.authorizer, RBAC: a.authorizers.rbac}
	chain.Validators = append([]admission.Validator{guard}, chain.Validators...)
	return chain
}
