// Package serviceaccount is upstream's service-account controller: every
// active namespace has a ServiceAccount named "default" (what a pod runs
// as when it names none), created with the namespace and created again if
// it is deleted.
//
// Data flow: in through the shared Namespace and ServiceAccount informers
// (a namespace added or changed, or a "default" account deleted, enqueues
// the namespace); out through the controller's own client, which may only
// create service accounts (system:controller:service-account-controller).
package serviceaccount
