// Package webhook is the MutatingAdmissionWebhook and
// ValidatingAdmissionWebhook plugins: for every write, each webhook of the
// current MutatingWebhookConfigurations (or ValidatingWebhookConfigurations)
// whose rules and selectors match is sent an admission.k8s.io/v1
// AdmissionReview over HTTPS, and its answer admits, refuses or (mutating
// only) patches the object.
//
// Behaviour follows upstream's plugins:
//
//   - configurations are taken in name order, webhooks in their order;
//   - rules match operation, API group, version, resource ("pods",
//     "pods/status", "pods/*", "*", "*/*") and scope; namespaceSelector is
//     matched against the namespace's labels (a Namespace's own labels for
//     namespaces, skipped for other cluster-scoped objects), objectSelector
//     against the new or the old object's labels;
//   - the webhook configurations themselves are never sent to webhooks, so
//     a broken webhook can always be removed;
//   - a dry-run request is refused (400) when a matching webhook does not
//     declare sideEffects None or NoneOnDryRun;
//   - a call that fails (unreachable, timeout, TLS, malformed answer) is
//     skipped under failurePolicy Ignore and refused under Fail with
//     `Internal error occurred: failed calling webhook "x": ...` (500);
//   - a refusal reads `admission webhook "x" denied the request: <message>`
//     with the webhook's status code (400 when it gives none or less);
//   - warnings of the answers reach the client (Attributes.AddWarning);
//   - mutating webhooks run one after the other and their JSONPatch answers
//     are applied in turn; a webhook with reinvocationPolicy IfNeeded is
//     called once more when a later webhook changed the object after it ran;
//   - validating webhooks run in parallel; the first refusal in webhook
//     order is the one reported.
//
// What differs, and why:
//
//   - matchPolicy Equivalent is treated as Exact: hanok serves each resource
//     at one version, so there is no other version to convert to (the one
//     exception, events.k8s.io/v1 Events sharing core/v1's storage, is not
//     converted).
//   - matchConditions are refused when a configuration is written (the
//     registry's validation), since CEL is not evaluated.
//   - A service reference (clientConfig.service) is called at an address of
//     the Service's Endpoints (the endpoint port backing the referenced
//     service port), not at its ClusterIP: the API server does not go
//     through kube-proxy's rules, so a ClusterIP may not be reachable from
//     it. The certificate is verified for "<service>.<namespace>.svc", as
//     upstream. An ExternalName Service is called at its external name.
//   - auditAnnotations in answers are ignored (audit is at Metadata level).
//
// # Wiring
//
// The plugins read configurations, namespaces, services and endpoints
// through informer listers, never the store, so a write costs no extra
// reads. From a client-go SharedInformerFactory on a loopback client:
//
//	f := informers.NewSharedInformerFactory(client, 0)
//	deps := webhook.Deps{
//		MutatingConfigs:   f.Admissionregistration().V1().MutatingWebhookConfigurations().Lister(),
//		ValidatingConfigs: f.Admissionregistration().V1().ValidatingWebhookConfigurations().Lister(),
//		Namespaces:        f.Core().V1().Namespaces().Lister(),
//		Services:          f.Core().V1().Services().Lister(),
//		Endpoints:         f.Core().V1().Endpoints().Lister(),
//		LiveNamespace: func(ctx context.Context, name string) (*corev1.Namespace, error) {
//			return api.Namespace(ctx, name, true) // api: the *apiserver.Server, assigned by apiserver.New below
//		},
//	}
//	deps.HasSynced = webhook.AllSynced(
//		f.Admissionregistration().V1().MutatingWebhookConfigurations().Informer().HasSynced,
//		f.Admissionregistration().V1().ValidatingWebhookConfigurations().Informer().HasSynced,
//		f.Core().V1().Namespaces().Informer().HasSynced,
//		f.Core().V1().Services().Informer().HasSynced,
//		f.Core().V1().Endpoints().Informer().HasSynced)
//	f.Start(ctx.Done())
//	chain.Mutators = append(chain.Mutators, webhook.NewMutating(deps))       // last: sees the other plugins' changes
//	chain.Validators = append(chain.Validators, webhook.NewValidating(deps)) // last too
//
// The informers must be created (Lister/Informer called) before Start.
// Until HasSynced reports true, a write that needs the plugins waits up to
// ten seconds and is then refused with 403 "not yet ready to handle
// request", as upstream: an empty cache would otherwise skip every webhook.
// The server's own in-process writes (no user: Bootstrap's namespaces)
// never wait, since the informers cannot sync before the server serves.
package webhook
