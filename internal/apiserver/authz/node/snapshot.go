package node

import (
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/tools/cache"
)

// MaxSnapshotAge bounds how long a node's snapshot is trusted without a
// change notification: a safety net if notifications are lost or not
// wired, not the way changes are meant to arrive.
const MaxSnapshotAge = 10 * time.Second

// snapshot is one node's refs as of a generation.
type snapshot struct {
	nodeGen, volumeGen uint64
	built              time.Time
	refs               *refs
}

// nodeState holds a node's generation and its latest snapshot.
type nodeState struct {
	gen  atomic.Uint64
	snap atomic.Pointer[snapshot]
	mu   sync.Mutex // serializes rebuilds of this node
}

// snapshots caches refs per node. Pod changes invalidate one node; claim
// and volume changes invalidate every node (they are rare, and the
// claim-to-node mapping is what would have to be kept otherwise).
type snapshots struct {
	nodes     sync.Map // node name -> *nodeState
	volumeGen atomic.Uint64
}

func (s *snapshots) state(node string) *nodeState {
	if v, ok := s.nodes.Load(node); ok {
		return v.(*nodeState)
	}
	v, _ := s.nodes.LoadOrStore(node, &nodeState{})
	return v.(*nodeState)
}

// refsFor returns the node's refs, rebuilding them when a change was
// announced after they were built, or they are older than MaxSnapshotAge.
func (z *Authorizer) refsFor(node string) (*refs, error) {
	st := z.cache.state(node)
	now := z.now()
	if s := st.snap.Load(); s != nil && z.fresh(st, s, now) {
		return s.refs, nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if s := st.snap.Load(); s != nil && z.fresh(st, s, now) {
		return s.refs, nil
	}
	// Read generations before reading the data: a change landing during
	// the build bumps them again and the next decision rebuilds.
	s := &snapshot{nodeGen: st.gen.Load(), volumeGen: z.cache.volumeGen.Load(), built: now}
	r, err := z.build(node)
	if err != nil {
		return nil, err
	}
	s.refs = r
	st.snap.Store(s)
	return r, nil
}

func (z *Authorizer) fresh(st *nodeState, s *snapshot, now time.Time) bool {
	return s.nodeGen == st.gen.Load() && s.volumeGen == z.cache.volumeGen.Load() && now.Sub(s.built) < MaxSnapshotAge
}

// build reads the node's pods and, when volume listers are set, the
// claims they mount and the volumes bound to those.
func (z *Authorizer) build(node string) (*refs, error) {
	pods, err := z.pods.PodsOnNode(node)
	if err != nil {
		return nil, err
	}
	r := newRefs()
	for _, p := range pods {
		r.addPod(p)
	}
	if z.pvcs == nil || z.pvs == nil {
		return r, nil
	}
	for c := range r.claims {
		pvc, err := z.pvcs.PersistentVolumeClaims(c.namespace).Get(c.name)
		if err != nil {
			if apierrors.IsNotFound(err) {
				continue // not created yet
			}
			return nil, err
		}
		if pvc == nil || pvc.Spec.VolumeName == "" {
			continue // not bound yet
		}
		pv, err := z.pvs.Get(pvc.Spec.VolumeName)
		if err != nil {
			if apierrors.IsNotFound(err) {
				continue
			}
			return nil, err
		}
		if pv != nil {
			r.addVolume(pv, c.namespace)
		}
	}
	return r, nil
}

// InvalidateNode tells the authorizer that the pods bound to node changed
// (one was bound, added, deleted, or got an ephemeral container).
func (z *Authorizer) InvalidateNode(node string) {
	if node != "" {
		z.cache.state(node).gen.Add(1)
	}
}

// InvalidateVolumes tells the authorizer that a claim or volume changed.
func (z *Authorizer) InvalidateVolumes() { z.cache.volumeGen.Add(1) }

// PodEventHandler keeps the snapshots current from a pod informer. Status
// updates, by far the most frequent pod event, change nothing a snapshot
// holds and are ignored: a pod's references are fixed by its spec, which
// only changes where it runs (binding) and its ephemeral containers.
func (z *Authorizer) PodEventHandler() cache.ResourceEventHandler {
	return cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			if p, ok := obj.(*corev1.Pod); ok {
				z.InvalidateNode(p.Spec.NodeName)
			}
		},
		UpdateFunc: func(oldObj, newObj any) {
			o, ok1 := oldObj.(*corev1.Pod)
			n, ok2 := newObj.(*corev1.Pod)
			if !ok1 || !ok2 || o.ResourceVersion == n.ResourceVersion && o.ResourceVersion != "" {
				return
			}
			if o.Spec.NodeName != n.Spec.NodeName || len(o.Spec.EphemeralContainers) != len(n.Spec.EphemeralContainers) {
				z.InvalidateNode(o.Spec.NodeName)
				z.InvalidateNode(n.Spec.NodeName)
			}
		},
		DeleteFunc: func(obj any) {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			if p, ok := obj.(*corev1.Pod); ok {
				z.InvalidateNode(p.Spec.NodeName)
			}
		},
	}
}

// VolumeEventHandler keeps the snapshots current from the claim and volume
// informers.
func (z *Authorizer) VolumeEventHandler() cache.ResourceEventHandler {
	return cache.ResourceEventHandlerFuncs{
		AddFunc: func(any) { z.InvalidateVolumes() },
		UpdateFunc: func(oldObj, newObj any) {
			// Informer resyncs replay unchanged objects.
			o, ok1 := oldObj.(interface{ GetResourceVersion() string })
			n, ok2 := newObj.(interface{ GetResourceVersion() string })
			if ok1 && ok2 && o.GetResourceVersion() == n.GetResourceVersion() && o.GetResourceVersion() != "" {
				return
			}
			z.InvalidateVolumes()
		},
		DeleteFunc: func(any) { z.InvalidateVolumes() },
	}
}
