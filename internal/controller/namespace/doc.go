// Package namespace is upstream's namespace controller: once a namespace
// is marked for deletion it deletes everything in it, of every namespaced
// resource the server serves (found by discovery, so custom and future
// kinds are covered), waits until all of it is gone (graceful pods,
// finalizers), then removes the "kubernetes" finalizer through
// namespaces/{name}/finalize, after which the API server removes the
// namespace itself. Along the way it reports on the namespace's status
// with upstream's conditions: NamespaceDeletionDiscoveryFailure,
// NamespaceDeletionGroupVersionParsingFailure,
// NamespaceDeletionContentFailure, NamespaceContentRemaining and
// NamespaceFinalizersRemaining.
//
// Data flow: in through the shared Namespace informer (a namespace with a
// deletionTimestamp enqueues its name); discovery and a metadata client
// (content is handled as PartialObjectMetadata, whatever its kind) as the
// controller's own identity, system:controller:namespace-controller,
// which may list and delete anything and update namespaces' status and
// finalize subresources.
package namespace
