package garbagecollector

import (
	"fmt"
	"strings"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/cache"
)

// key is how an object is queued: "<resource>[.<group>]|<namespace>|<name>".
func key(gr schema.GroupResource, ns, name string) string {
	return gr.String() + "|" + ns + "|" + name
}

func parseKey(k string) (schema.GroupResource, string, string, error) {
	parts := strings.Split(k, "|")
	if len(parts) != 3 {
		return schema.GroupResource{}, "", "", fmt.Errorf("bad key %q", k)
	}
	return schema.ParseGroupResource(parts[0]), parts[1], parts[2], nil
}

func (gc *GC) enqueue(gr schema.GroupResource, m *metav1.PartialObjectMetadata) {
	gc.loop.Queue.Add(key(gr, m.Namespace, m.Name))
}

// enqueueOwner queues the owner ref names, seen from a dependent in ns.
func (gc *GC) enqueueOwner(ns string, ref metav1.OwnerReference) {
	info, err := gc.monitors.kind(ref.APIVersion, ref.Kind)
	if err != nil {
		return
	}
	if !info.namespaced {
		ns = ""
	}
	gc.loop.Queue.Add(key(info.gvr.GroupResource(), ns, ref.Name))
}

func asMetadata(obj any) *metav1.PartialObjectMetadata {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	m, _ := obj.(*metav1.PartialObjectMetadata)
	return m
}

// handlers queue what a change may give work to.
func (gc *GC) handlers(gr schema.GroupResource) cache.ResourceEventHandler {
	return cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			if m := asMetadata(obj); m != nil && (len(m.OwnerReferences) > 0 || m.DeletionTimestamp != nil) {
				gc.enqueue(gr, m)
			}
		},
		UpdateFunc: func(oldObj, obj any) {
			old, m := asMetadata(oldObj), asMetadata(obj)
			if old == nil || m == nil {
				return
			}
			// A resync (same resourceVersion) looks again at everything
			// owned; otherwise only a change of owners or of deletion
			// state can give work.
			resync := old.ResourceVersion == m.ResourceVersion
			refsChanged := !apiequality.Semantic.DeepEqual(old.OwnerReferences, m.OwnerReferences)
			if m.DeletionTimestamp != nil || (len(m.OwnerReferences) > 0 && (resync || refsChanged)) {
				gc.enqueue(gr, m)
			}
			// An owner waiting in foreground may have been released.
			for _, ref := range changedOwners(old.OwnerReferences, m.OwnerReferences) {
				gc.enqueueOwner(m.Namespace, ref)
			}
		},
		DeleteFunc: func(obj any) {
			m := asMetadata(obj)
			if m == nil {
				return
			}
			// Its dependents may now be dangling; its owners may have been
			// waiting for it.
			for _, d := range gc.monitors.dependents(string(m.UID)) {
				gc.enqueue(d.gr, d.obj)
			}
			for _, ref := range m.OwnerReferences {
				gc.enqueueOwner(m.Namespace, ref)
			}
		},
	}
}
