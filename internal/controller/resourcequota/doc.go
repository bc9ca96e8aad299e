// Package resourcequota is upstream's resource-quota controller: it keeps
// every ResourceQuota's status true to what exists. status.hard is the
// quota's spec.hard; status.used is recomputed from the namespace's
// objects, for the resources the quota limits only.
//
// The API server's ResourceQuota admission plugin charges a quota when an
// object is created but never releases anything; this controller is what
// gives usage back: promptly when a pod, service or claim is deleted, a
// pod turns terminal, or a service or claim shrinks (upstream's
// "replenishment"), and for everything else at the full resync every five
// minutes.
//
// What each object uses, and under which quota names and scopes, comes
// from package internal/apiserver/quota, the rules the admission plugin
// charges by, so the two agree; this package only decides what to count
// and writes the sums back.
//
// Data flow: in through the shared informers for quotas, pods, services
// and persistent volume claims; other resources (configmaps, secrets,
// count/<resource>.<group>) are counted with a LIST when a quota limits
// them, rather than cached. Out: UpdateStatus of resourcequotas/status
// with the controller's own client (system:controller:resourcequota-controller).
package resourcequota
