package registry

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Resource describes one served kind once; the generic REST handler in
// internal/apiserver serves every Resource the same way. Adding a kind is
// writing a Resource and its Strategy, never a handler.
type Resource struct {
	// GroupVersion, Kind and Plural name the resource on the wire
	// (e.g. apps/v1, Deployment, deployments).
	GroupVersion schema.GroupVersion
	Kind         string
	Plural       string
	Singular     string
	ShortNames   []string
	Categories   []string
	Namespaced   bool

	// New and NewList return empty typed objects (e.g. &v1.Pod{}, &v1.PodList{}).
	New     func() runtime.Object
	NewList func() runtime.Object

	// Strategy holds the per-kind behaviour. Never nil.
	Strategy Strategy

	// Subresources this resource serves besides the object itself:
	// "status", "scale", "binding", "eviction", "token", ...
	// Status is handled generically (see StatusStrategy); the others by the
	// apiserver's subresource handlers keyed by name.
	Subresources []string

	// Storage-only: when set, objects live under this resource's prefix
	// (e.g. events.k8s.io/v1 events share core/v1's). Empty means own prefix.
	StoragePrefix string

	// Create, when set, makes the resource virtual: nothing is stored, the
	// only verb is create, and Create computes the answer from the request
	// (access reviews, token reviews). NewList is nil for such resources.
	Create func(ctx context.Context, obj runtime.Object) (runtime.Object, error)
}

// Virtual tells whether the resource is computed on create, never stored.
func (r *Resource) Virtual() bool { return r.Create != nil }

// GroupVersionResource is the resource's GVR.
func (r *Resource) GroupVersionResource() schema.GroupVersionResource {
	return r.GroupVersion.WithResource(r.Plural)
}

// GroupVersionKind is the resource's GVK.
func (r *Resource) GroupVersionKind() schema.GroupVersionKind {
	return r.GroupVersion.WithKind(r.Kind)
}

// HasSubresource tells whether name is one of r.Subresources.
func (r *Resource) HasSubresource(name string) bool {
	for _, s := range r.Subresources {
		if s == name {
			return true
		}
	}
	return false
}

// Strategy is what differs between kinds. Every method must be a pure
// function of its arguments (no I/O): the handler does the storage.
type Strategy interface {
	// Default fills unset fields as upstream's defaulting does (applied on
	// create and update, before validation).
	Default(obj runtime.Object)

	// PrepareForCreate clears what a client may not set on create
	// (usually status), before Default and Validate.
	PrepareForCreate(ctx context.Context, obj runtime.Object)
	// PrepareForUpdate keeps what a client may not change through the main
	// resource (usually status from old) and bumps metadata.generation when the
	// spec changed.
	PrepareForUpdate(ctx context.Context, obj, old runtime.Object)

	// Validate returns every wrong field of a new object.
	Validate(ctx context.Context, obj runtime.Object) field.ErrorList
	// ValidateUpdate returns every wrong field of an updated object, including
	// changes to immutable fields.
	ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList

	// TableColumns and TableRow give `kubectl get`'s server-side printing.
	// Columns after NAME; the handler adds NAME itself as the first cell and
	// AGE where the columns list it. Priority 1 columns show with -o wide.
	TableColumns() []metav1.TableColumnDefinition
	// TableRow returns the cells after NAME, one per column.
	TableRow(obj runtime.Object) []interface{}

	// SelectableFields returns the field set matched by field selectors
	// (metadata.name and metadata.namespace always, plus kind-specific ones
	// such as spec.nodeName and status.phase for pods).
	SelectableFields(obj runtime.Object) fields.Set
}

// StatusStrategy is implemented by strategies of kinds with a /status
// subresource: PrepareForStatusUpdate keeps everything but status from old.
type StatusStrategy interface {
	PrepareForStatusUpdate(ctx context.Context, obj, old runtime.Object)
	ValidateStatusUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList
}

// GracefulDeleter is implemented by strategies of kinds whose deletion
// takes time (pods on a node): it returns the grace period to wait, given
// the client's request (nil = the object's default). Zero deletes at once.
type GracefulDeleter interface {
	GracePeriod(obj runtime.Object, requested *int64) int64
}
