// Package quota is what a ResourceQuota counts: the usage of an object
// under each quota resource name, quota scopes, and object-count names.
// Its functions are pure, and shared by the admission plugin that charges
// quotas (internal/apiserver/admission/plugins) and the controller that
// recomputes their status (internal/controller/resourcequota), so that
// what one charges and what the other writes back cannot drift apart.
//
// The rules are upstream Kubernetes' quota evaluators' (pods, services,
// persistent volume claims, and object counts for everything else): data
// flows in as API objects and quotas, and out as corev1.ResourceLists and
// yes/no answers; nothing here reads the API or keeps state.
package quota
