package admission

import (
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// NamespaceLifecycle is upstream's plugin of that name: nothing is created
// in a namespace that does not exist (404) or is being deleted (403), so a
// namespace's deletion, once its content is cleaned up, cannot leave
// objects behind; and the namespaces every cluster relies on may not be
// deleted at all.
//
// Namespaces are read from the watch cache, which may lag a write by a few
// milliseconds: harmless for a namespace just created (a miss is read from
// etcd), but not for one just deleted, whose Terminating phase the cache
// may not show yet. So, as upstream, a namespace this server saw deleted
// is read from etcd ("live") for a while.
type NamespaceLifecycle struct {
	// Namespace reads a namespace, from etcd when live is set; a NotFound
	// error when there is none.
	Namespace func(ctx context.Context, name string, live bool) (*corev1.Namespace, error)
	// Immortal namespaces may not be deleted (default, kube-system,
	// kube-public).
	Immortal []string

	mu sync.Mutex
	// liveUntil: namespaces recently deleted, read live until then.
	liveUntil map[string]time.Time
	now       func() time.Time // tests
}

// liveLookupFor is how long a deleted namespace is read live: far longer
// than the cache takes to catch up, as upstream's 30s.
const liveLookupFor = 30 * time.Second

var namespaceGK = corev1.SchemeGroupVersion.WithKind("Namespace").GroupKind()

var namespacesResource = corev1.Resource("namespaces")

// Admit implements Mutator, though it changes nothing: as upstream, the
// plugin runs first in the mutating phase too, so a write into a missing
// namespace is answered 404 before other plugins look things up in it
// (and fail with less helpful errors).
func (l *NamespaceLifecycle) Admit(ctx context.Context, a *Attributes) error {
	return l.Validate(ctx, a)
}

// accessReviews are always allowed: answering 404 for a missing namespace
// would tell anyone which namespaces exist.
var accessReviews = schema.GroupResource{Group: "authorization.k8s.io", Resource: "localsubjectaccessreviews"}

// Validate implements Validator.
func (l *NamespaceLifecycle) Validate(ctx context.Context, a *Attributes) error {
	if a.Kind.GroupKind() == namespaceGK {
		if a.Operation == Delete {
			if contains(l.Immortal, a.Name) {
				return apierrors.NewForbidden(namespacesResource, a.Name, fmt.Errorf("this namespace may not be deleted"))
			}
			l.readLive(a.Name)
		}
		return nil
	}
	// Cluster-scoped objects have no namespace to check; deleting and
	// updating what exists is always allowed, so a namespace can be emptied.
	if a.Namespace == "" || a.Operation != Create || a.Resource.GroupResource() == accessReviews {
		return nil
	}
	ns, err := l.Namespace(ctx, a.Namespace, l.isLive(a.Namespace))
	if apierrors.IsNotFound(err) {
		return apierrors.NewNotFound(namespacesResource, a.Namespace)
	}
	if err != nil {
		return err
	}
	if ns.Status.Phase != corev1.NamespaceTerminating {
		return nil
	}
	forbidden := apierrors.NewForbidden(a.Resource.GroupResource(), a.Name,
		fmt.Errorf("unable to create new content in namespace %s because it is being terminated", a.Namespace))
	forbidden.ErrStatus.Details.Causes = append(forbidden.ErrStatus.Details.Causes, metav1.StatusCause{
		Type:    corev1.NamespaceTerminatingCause,
		Message: fmt.Sprintf("namespace %s is being terminated", a.Namespace),
		Field:   "metadata.namespace",
	})
	return forbidden
}

// readLive has name read from etcd for the next liveLookupFor.
func (l *NamespaceLifecycle) readLive(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock()
	if l.liveUntil == nil {
		l.liveUntil = map[string]time.Time{}
	}
	for ns, until := range l.liveUntil { // a few entries at most
		if now.After(until) {
			delete(l.liveUntil, ns)
		}
	}
	l.liveUntil[name] = now.Add(liveLookupFor)
}

func (l *NamespaceLifecycle) isLive(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	until, ok := l.liveUntil[name]
	return ok && !l.clock().After(until)
}

func (l *NamespaceLifecycle) clock() time.Time {
	if l.now != nil {
		return l.now()
	}
	return time.Now()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
