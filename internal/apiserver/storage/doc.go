// Package storage is the API server's object store: Kubernetes objects in
// etcd, with optimistic concurrency, and a watch cache in front.
//
// What it owns: the mapping between typed objects (k8s.io/api structs) and
// etcd keys/values, resourceVersion semantics, and serving LIST and WATCH
// to every client from memory. It does not build keys, validate or default
// objects: the API handler does that and calls Interface (interface.go).
//
// Data in: the handler calls Create, GuaranteedUpdate and Delete with a full
// key ("/registry/pods/default/web") and a typed object. Store (store*.go)
// encodes it with the resource's Codec to JSON with apiVersion/kind and
// writes it in an etcd transaction that compares revisions: create only if
// the key is absent (AlreadyExists), update/delete only if the key is still
// at the revision just read (retrying on a lost race; a stale
// resourceVersion in the object is a Conflict). resourceVersion is never
// stored: it is the key's etcd ModRevision, stamped on every object on the
// way out.
//
// Data out: Cacher (cacher*.go) is what the API server uses, one per
// resource. A feed loop lists the resource's prefix and watches it from the
// list's revision; each change updates a sorted in-memory index of decoded
// objects (index.go) and is appended to a window of recent events
// (buffer.go). A dispatcher goroutine (cacher_dispatch.go) then queues it
// to every watcher whose key it concerns. Each watcher (watcher.go) is a
// goroutine that filters with the client's predicate (event.go: an object
// entering the selection is ADDED, leaving it DELETED), sends bookmarks, and
// writes to the client's channel. A watcher whose queue stays full beyond a
// short wait budget is closed rather than waited for. When the
// etcd watch fails (compaction, lost leader), the loop relists and closes
// all watchers; clients resume from their resourceVersion or relist (410).
// Get, Count and writes go to etcd; a consistent LIST (resourceVersion "")
// waits until the cache has seen etcd's current revision.
//
// Sharing: objects in lists and watch events are shallow copies of cached
// objects. Callers own the top-level struct (setting apiVersion/kind,
// resourceVersion or managedFields is fine) but maps, slices and pointers
// inside are shared with the cache and every other reader: DeepCopy before
// changing anything inside them. Cached objects are never mutated after
// being stored, which is what makes serving them without locks safe.
//
// Errors are apimachinery StatusErrors (NotFound, AlreadyExists, Conflict,
// Expired/Gone, Timeout, BadRequest) built with the resource's
// GroupResource and upstream's messages, so the handler returns them as a
// Status unchanged; etcd transport errors are returned wrapped as-is.
package storage
