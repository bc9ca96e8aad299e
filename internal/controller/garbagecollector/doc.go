// Package garbagecollector is upstream's generic garbage collector: an
// object whose ownerReferences all point at owners that are gone is
// deleted, over every resource type the server serves. It carries out the
// three propagation policies of a delete, which the API server records as
// finalizers on the owner:
//   - background (no finalizer): the owner goes at once; its dependents,
//     now dangling, are deleted after;
//   - foreground (foregroundDeletion): the owner stays, marked, until
//     every dependent whose reference has blockOwnerDeletion is gone; its
//     dependents are deleted first (themselves in foreground when they
//     have dependents), then the finalizer is removed;
//   - orphan (orphan): the owner's references are removed from its
//     dependents, which stay, then the finalizer is removed.
//
// Data flow: discovery (again every 30s) names the resources that can be
// listed, watched and deleted; one metadata informer per resource
// ("monitor") keeps their objects' metadata, indexed by owner UID, so an
// owner's dependents and a dependent's owners are found in memory. Events
// enqueue the objects that may need work; sync(key) decides from the
// caches, confirms with live reads only when something is to be done, and
// acts through a metadata client as system:controller:generic-garbage-
// collector (deletes with a UID precondition, JSON merge patches with the
// resourceVersion read).
package garbagecollector
