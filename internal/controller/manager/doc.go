// Package manager is hanok's kube-controller-manager: it runs every
// reconcile loop (controller/<name>) in one process, under one
// leader-elected Lease kube-system/kube-controller-manager, as upstream.
//
// Identities, as upstream's --use-service-account-credentials: the manager
// itself is system:kube-controller-manager (Config.RESTConfig); with it it
// holds the Lease, lists and watches for the one shared informer factory,
// and, for each controller, makes sure the ServiceAccount
// kube-system/<controller's account> exists and asks the TokenRequest API
// for its tokens (refreshed before they expire). Each controller then
// writes as that account, bound by the bootstrap policy to the role
// system:controller:<account> and nothing more.
//
// The list of controllers is controllers.go: one line each. Run builds
// every enabled controller's Context (its client, the shared informers,
// its event recorder), starts the informers once all are built, runs the
// controllers until leadership or ctx ends, and, on a new term, builds
// everything afresh.
package manager
