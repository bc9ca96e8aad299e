package garbagecollector

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/tools/cache"
)

// ownerIndex indexes objects by the UIDs of their owners.
const ownerIndex = "ownerUID"

func byOwnerUID(obj any) ([]string, error) {
	m, ok := obj.(*metav1.PartialObjectMetadata)
	if !ok {
		return nil, nil
	}
	out := make([]string, len(m.OwnerReferences))
	for i, ref := range m.OwnerReferences {
		out[i] = string(ref.UID)
	}
	return out, nil
}

// ignored are never watched, as upstream: events are many, short-lived and
// never owners.
var ignored = sets.New(
	schema.GroupResource{Resource: "events"},
	schema.GroupResource{Group: "events.k8s.io", Resource: "events"},
)

// kindInfo is what an owner reference's kind maps to.
type kindInfo struct {
	gvr        schema.GroupVersionResource // in the server's preferred version
	namespaced bool
}

// served is one discovery pass: every kind the server serves, and which
// resources can be monitored.
type served struct {
	kinds     map[schema.GroupKind]kindInfo
	resources map[schema.GroupResource]kindInfo
	monitored map[schema.GroupResource]kindInfo
}

// discover reads what the server serves. A partial failure keeps what was
// found; the error says what was not.
func discover(d discovery.DiscoveryInterface) (served, error) {
	lists, err := discovery.ServerPreferredResources(d)
	out := served{kinds: map[schema.GroupKind]kindInfo{}, resources: map[schema.GroupResource]kindInfo{}, monitored: map[schema.GroupResource]kindInfo{}}
	for _, list := range lists {
		gv, perr := schema.ParseGroupVersion(list.GroupVersion)
		if perr != nil {
			continue
		}
		for _, r := range list.APIResources {
			if strings.Contains(r.Name, "/") {
				continue
			}
			info := kindInfo{gvr: gv.WithResource(r.Name), namespaced: r.Namespaced}
			out.kinds[gv.WithKind(r.Kind).GroupKind()] = info
			out.resources[info.gvr.GroupResource()] = info
			verbs := sets.New(r.Verbs...)
			if verbs.HasAll("list", "watch", "delete") && !ignored.Has(info.gvr.GroupResource()) {
				out.monitored[info.gvr.GroupResource()] = info
			}
		}
	}
	return out, err
}

// monitor watches one resource.
type monitor struct {
	info     kindInfo
	informer cache.SharedIndexInformer
	stop     context.CancelFunc
}

// monitors is the set of watched resources, changed as discovery changes.
type monitors struct {
	client   metadata.Interface
	handlers func(gr schema.GroupResource) cache.ResourceEventHandler

	mu        sync.RWMutex
	kinds     map[schema.GroupKind]kindInfo
	resources map[schema.GroupResource]kindInfo
	all       map[schema.GroupResource]*monitor
}

// trimMetadata keeps what the collector reads, so watching every pod
// costs little memory.
func trimMetadata(obj any) (any, error) {
	m, ok := obj.(*metav1.PartialObjectMetadata)
	if !ok {
		return obj, nil
	}
	return &metav1.PartialObjectMetadata{TypeMeta: m.TypeMeta, ObjectMeta: metav1.ObjectMeta{
		Name: m.Name, Namespace: m.Namespace, UID: m.UID, ResourceVersion: m.ResourceVersion,
		DeletionTimestamp: m.DeletionTimestamp, Finalizers: m.Finalizers, OwnerReferences: m.OwnerReferences,
	}}, nil
}

// sync starts monitors for resources newly served and stops those no
// longer served; what a failed discovery did not name is kept.
func (ms *monitors) sync(ctx context.Context, s served, complete bool) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if ms.all == nil {
		ms.all = map[schema.GroupResource]*monitor{}
	}
	if complete || ms.kinds == nil {
		ms.kinds, ms.resources = s.kinds, s.resources
	} else {
		for gk, info := range s.kinds {
			ms.kinds[gk] = info
		}
		for gr, info := range s.resources {
			ms.resources[gr] = info
		}
	}
	for gr, info := range s.monitored {
		if m, ok := ms.all[gr]; ok && m.info == info {
			continue
		} else if ok {
			m.stop() // a new preferred version: watch that one
		}
		informer := metadatainformer.NewFilteredMetadataInformer(ms.client, info.gvr, metav1.NamespaceAll, 0,
			cache.Indexers{ownerIndex: byOwnerUID}, nil).Informer()
		_ = informer.SetTransform(trimMetadata)
		_, _ = informer.AddEventHandler(ms.handlers(gr))
		mctx, stop := context.WithCancel(ctx)
		go informer.RunWithContext(mctx)
		ms.all[gr] = &monitor{info: info, informer: informer, stop: stop}
	}
	if complete {
		for gr, m := range ms.all {
			if _, ok := s.monitored[gr]; !ok {
				m.stop()
				delete(ms.all, gr)
			}
		}
	}
}

// synced tells whether every monitor has listed its resource.
func (ms *monitors) synced() bool {
	ms.mu.RLock()
	defer ms.mu.RUnlock()
	if ms.all == nil {
		return false
	}
	for _, m := range ms.all {
		if !m.informer.HasSynced() {
			return false
		}
	}
	return true
}

// kind maps an owner reference's kind.
func (ms *monitors) kind(apiVersion, kind string) (kindInfo, error) {
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return kindInfo{}, err
	}
	ms.mu.RLock()
	defer ms.mu.RUnlock()
	info, ok := ms.kinds[gv.WithKind(kind).GroupKind()]
	if !ok {
		return kindInfo{}, fmt.Errorf("kind %s in %s is not served", kind, apiVersion)
	}
	return info, nil
}

// cached is the cached object gr ns/name, or nil (not cached, or gr not
// monitored).
func (ms *monitors) cached(gr schema.GroupResource, ns, name string) *metav1.PartialObjectMetadata {
	ms.mu.RLock()
	m := ms.all[gr]
	ms.mu.RUnlock()
	if m == nil {
		return nil
	}
	key := name
	if ns != "" {
		key = ns + "/" + name
	}
	obj, ok, err := m.informer.GetIndexer().GetByKey(key)
	if err != nil || !ok {
		return nil
	}
	return obj.(*metav1.PartialObjectMetadata)
}

// dependent is a cached object that names an owner.
type dependent struct {
	gr  schema.GroupResource
	obj *metav1.PartialObjectMetadata
}

// dependents are the cached objects whose ownerReferences name uid.
func (ms *monitors) dependents(uid string) []dependent {
	ms.mu.RLock()
	defer ms.mu.RUnlock()
	var out []dependent
	for gr, m := range ms.all {
		objs, err := m.informer.GetIndexer().ByIndex(ownerIndex, uid)
		if err != nil {
			continue
		}
		for _, obj := range objs {
			out = append(out, dependent{gr: gr, obj: obj.(*metav1.PartialObjectMetadata)})
		}
	}
	return out
}

// resource is what is known of a served resource.
func (ms *monitors) resource(gr schema.GroupResource) (kindInfo, bool) {
	ms.mu.RLock()
	defer ms.mu.RUnlock()
	info, ok := ms.resources[gr]
	return info, ok
}

// stopAll stops every monitor.
func (ms *monitors) stopAll() {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	for gr, m := range ms.all {
		m.stop()
		delete(ms.all, gr)
	}
}

// discoveryPeriod is how often discovery is read again, as upstream.
const discoveryPeriod = 30 * time.Second
