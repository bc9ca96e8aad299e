// Package bootstrappolicy is the RBAC policy a hanok server creates at start
// and keeps reconciled: upstream's default ClusterRoles and
// ClusterRoleBindings (cluster-admin, admin/edit/view and their
// system:aggregate-to-* parts, system:basic-user, system:discovery, the
// component roles), the per-controller system:controller:<name> roles bound
// to the controllers' service accounts in kube-system, and upstream's few
// namespaced roles (leader locking, extension-apiserver-authentication-reader,
// bootstrap-signer, token-cleaner). Every object carries upstream's
// kubernetes.io/bootstrapping=rbac-defaults label and
// rbac.authorization.kubernetes.io/autoupdate=true annotation.
//
// Rules are written as upstream writes them (the same rules in the same
// order, each rule's lists sorted), so objects compare equal to what a
// kube-apiserver of the same generation creates. Differences, all deliberate:
//
//   - admin, edit and view are returned with their aggregated rules already
//     filled in (rbac.AggregateAll over the defaults), where upstream leaves
//     them empty for the aggregation controller. The controller computes
//     the same rules, so it changes nothing; until it runs, a user bound to
//     view can already read.
//   - system:node also reads endpoints and endpointslices (hanok's agent may
//     run its proxy and DNS as the node), and system:kube-dns reads
//     endpointslices (hanok's DNS serves from them).
//   - metrics-server's roles (system:aggregated-metrics-reader,
//     system:metrics-server) are built in, as k3s ships them.
//   - only the controllers hanok runs or will run get roles.
//
// Reconcile compares this policy with what the cluster holds and returns
// the writes that bring it back, with upstream's rules for it (see
// reconcile.go): it only adds, never removes what users added, and leaves
// alone objects annotated autoupdate=false.
package bootstrappolicy
