package garbagecollector

import (
	"context"
	"fmt"

	"github.com/sirupsen/logrus"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/util/retry"

	"github.com/hanok-dev/hanok/internal/controller"
)

// GC is the garbage collector.
type GC struct {
	client    metadata.Interface
	discovery discovery.DiscoveryInterface
	monitors  *monitors
	loop      *controller.Loop
	log       *logrus.Entry
}

// New builds the collector; it talks to the API as cc's identity, through
// a metadata client made from cc.RESTConfig.
func New(cc controller.Context) (*GC, error) {
	if cc.RESTConfig == nil {
		return nil, fmt.Errorf("garbage collector: the Context has no RESTConfig")
	}
	mc, err := metadata.NewForConfig(cc.RESTConfig)
	if err != nil {
		return nil, fmt.Errorf("garbage collector: %w", err)
	}
	gc := &GC{
		client:    mc,
		discovery: cc.Client.Discovery(),
		log:       logrus.WithField("component", "garbage-collector"),
	}
	gc.monitors = &monitors{client: mc, handlers: gc.handlers}
	gc.loop = controller.NewLoop("garbage-collector", gc.sync)
	return gc, nil
}

// Run implements controller.Controller: it discovers what to watch (and
// again every 30s), waits for the monitors to list it, then collects.
func (gc *GC) Run(ctx context.Context, workers int) {
	defer gc.monitors.stopAll()
	go wait.UntilWithContext(ctx, gc.rediscover, discoveryPeriod)
	gc.loop.Run(ctx, workers, gc.monitors.synced)
}

func (gc *GC) rediscover(ctx context.Context) {
	s, err := discover(gc.discovery)
	if err != nil {
		gc.log.WithError(err).Warn("discovery incomplete; keeping the monitors of what was not found")
	}
	if len(s.resources) == 0 {
		return
	}
	gc.monitors.sync(ctx, s, err == nil)
}

// sync looks at one object: as an owner being deleted with a policy, or as
// a dependent whose owners may be gone.
func (gc *GC) sync(ctx context.Context, k string) error {
	gr, ns, name, err := parseKey(k)
	if err != nil {
		return nil
	}
	info, ok := gc.monitors.resource(gr)
	if !ok {
		return nil // no longer served
	}
	if c := gc.monitors.cached(gr, ns, name); c != nil && gc.settledInCache(c) {
		return nil
	}
	obj, err := gc.client.Resource(info.gvr).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if obj.DeletionTimestamp != nil {
		switch {
		case hasFinalizer(obj.Finalizers, metav1.FinalizerOrphanDependents):
			return gc.orphan(ctx, info, obj)
		case hasFinalizer(obj.Finalizers, metav1.FinalizerDeleteDependents):
			return gc.foreground(ctx, info, obj)
		}
		return nil
	}
	return gc.attemptToDelete(ctx, info, obj)
}

// settledInCache tells, from the caches alone, that m needs nothing: it
// is not being deleted with a policy to carry out, and every owner it
// names is there and solid. This keeps the collector from reading
// anything live for the common case (a new pod of a known ReplicaSet).
func (gc *GC) settledInCache(m *metav1.PartialObjectMetadata) bool {
	if m.DeletionTimestamp != nil {
		return !hasFinalizer(m.Finalizers, metav1.FinalizerOrphanDependents) && !hasFinalizer(m.Finalizers, metav1.FinalizerDeleteDependents)
	}
	for _, ref := range m.OwnerReferences {
		info, err := gc.monitors.kind(ref.APIVersion, ref.Kind)
		if err != nil {
			return false
		}
		ns := m.Namespace
		if !info.namespaced {
			ns = ""
		}
		if stateOf(gc.monitors.cached(info.gvr.GroupResource(), ns, ref.Name), ref.UID) != solid {
			return false
		}
	}
	return true
}

// ownerState finds what became of ref's owner, seen from a dependent in
// ns: from the cache when it shows the owner, else live.
func (gc *GC) ownerState(ctx context.Context, ns string, ref metav1.OwnerReference) (ownerState, error) {
	info, err := gc.monitors.kind(ref.APIVersion, ref.Kind)
	if err != nil {
		return solid, err
	}
	if !info.namespaced {
		ns = ""
	} else if ns == "" {
		// A cluster-scoped object cannot be owned by a namespaced one: the
		// reference resolves to nothing, as upstream.
		return dangling, nil
	}
	if c := gc.monitors.cached(info.gvr.GroupResource(), ns, ref.Name); c != nil && c.UID == ref.UID {
		return stateOf(c, ref.UID), nil
	}
	owner, err := gc.client.Resource(info.gvr).Namespace(ns).Get(ctx, ref.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return dangling, nil
	}
	if err != nil {
		return solid, err
	}
	return stateOf(owner, ref.UID), nil
}

// attemptToDelete handles obj as a dependent.
func (gc *GC) attemptToDelete(ctx context.Context, info kindInfo, obj *metav1.PartialObjectMetadata) error {
	if len(obj.OwnerReferences) == 0 {
		return nil
	}
	states := map[types.UID]ownerState{}
	for _, ref := range obj.OwnerReferences {
		st, err := gc.ownerState(ctx, obj.Namespace, ref)
		if err != nil {
			return err
		}
		states[ref.UID] = st
	}
	deps := gc.monitors.dependents(string(obj.UID))
	depWaiting := false
	for _, d := range deps {
		if d.obj.DeletionTimestamp != nil && hasFinalizer(d.obj.Finalizers, metav1.FinalizerDeleteDependents) {
			depWaiting = true
		}
	}
	act := decide(obj.OwnerReferences, states, obj.Finalizers, len(deps) > 0, depWaiting)
	log := gc.log.WithFields(logrus.Fields{"resource": info.gvr.GroupResource().String(), "namespace": obj.Namespace, "name": obj.Name})
	switch act.verdict {
	case keep:
		return nil
	case removeRefs:
		log.Debugf("removing references to owners %v", act.remove)
		return gc.patch(ctx, info, obj, func(m *metav1.PartialObjectMetadata) ([]byte, bool) { return removeRefsPatch(m, act.remove) })
	case unblockThen:
		if err := gc.patch(ctx, info, obj, unblockPatch); err != nil {
			return err
		}
	}
	log.Debugf("deleting (%s)", act.policy)
	return gc.delete(ctx, info, obj, act.policy)
}

// foreground handles owner, deleted in foreground: its dependents go
// first; once none that blocks it is left, the finalizer is removed.
func (gc *GC) foreground(ctx context.Context, info kindInfo, owner *metav1.PartialObjectMetadata) error {
	deps := gc.monitors.dependents(string(owner.UID))
	for _, d := range deps {
		if d.obj.DeletionTimestamp == nil {
			gc.enqueue(d.gr, d.obj) // each decides to go: its owner waits
		}
	}
	if n := len(blocking(deps, owner.UID)); n > 0 {
		gc.log.WithField("name", owner.Name).Debugf("waiting for %d dependents", n)
		return nil // their deletion events bring the owner back
	}
	return gc.patch(ctx, info, owner, func(m *metav1.PartialObjectMetadata) ([]byte, bool) {
		return removeFinalizerPatch(m, metav1.FinalizerDeleteDependents)
	})
}

// orphan handles owner, deleted with the orphan policy: its references are
// removed from its dependents, then the finalizer from it.
func (gc *GC) orphan(ctx context.Context, info kindInfo, owner *metav1.PartialObjectMetadata) error {
	for _, d := range gc.monitors.dependents(string(owner.UID)) {
		depInfo, ok := gc.monitors.resource(d.gr)
		if !ok {
			continue
		}
		err := gc.patch(ctx, depInfo, d.obj, func(m *metav1.PartialObjectMetadata) ([]byte, bool) {
			return removeRefsPatch(m, []types.UID{owner.UID})
		})
		if err != nil {
			return err
		}
	}
	return gc.patch(ctx, info, owner, func(m *metav1.PartialObjectMetadata) ([]byte, bool) {
		return removeFinalizerPatch(m, metav1.FinalizerOrphanDependents)
	})
}

// patch applies build's patch to obj, reading obj afresh and building the
// patch again on a conflict; an object gone or replaced needs nothing.
func (gc *GC) patch(ctx context.Context, info kindInfo, obj *metav1.PartialObjectMetadata, build func(*metav1.PartialObjectMetadata) ([]byte, bool)) error {
	rc := gc.client.Resource(info.gvr).Namespace(obj.Namespace)
	cur := obj
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		data, needed := build(cur)
		if !needed {
			return nil
		}
		_, err := rc.Patch(ctx, obj.Name, types.MergePatchType, data, metav1.PatchOptions{})
		if apierrors.IsConflict(err) {
			fresh, getErr := rc.Get(ctx, obj.Name, metav1.GetOptions{})
			switch {
			case apierrors.IsNotFound(getErr):
				return nil
			case getErr != nil:
				return getErr
			case fresh.UID != obj.UID:
				return nil
			}
			cur = fresh
		}
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	})
}

// delete deletes obj (that very object: UID precondition) with policy.
func (gc *GC) delete(ctx context.Context, info kindInfo, obj *metav1.PartialObjectMetadata, policy metav1.DeletionPropagation) error {
	uid := obj.UID
	err := gc.client.Resource(info.gvr).Namespace(obj.Namespace).Delete(ctx, obj.Name, metav1.DeleteOptions{
		Preconditions: &metav1.Preconditions{UID: &uid}, PropagationPolicy: &policy,
	})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil // gone, or replaced by another object of that name
	}
	return err
}
