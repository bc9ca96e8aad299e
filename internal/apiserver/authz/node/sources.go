package node

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
)

// PodLister finds the pods bound to a node (spec.nodeName).
type PodLister interface {
	PodsOnNode(nodeName string) ([]*corev1.Pod, error)
}

// PVCGetter finds claims. corelisters.PersistentVolumeClaimLister satisfies it.
type PVCGetter interface {
	PersistentVolumeClaims(namespace string) corelisters.PersistentVolumeClaimNamespaceLister
}

// PVGetter finds volumes. corelisters.PersistentVolumeLister satisfies it.
type PVGetter interface {
	Get(name string) (*corev1.PersistentVolume, error)
}

var (
	_ PVCGetter = corelisters.PersistentVolumeClaimLister(nil)
	_ PVGetter  = corelisters.PersistentVolumeLister(nil)
)

// NodeNameIndex is the informer index PodIndexer reads.
const NodeNameIndex = "spec.nodeName"

// IndexByNodeName files a pod under its node; add it to the pod informer
// with AddIndexers(cache.Indexers{NodeNameIndex: IndexByNodeName}).
func IndexByNodeName(obj any) ([]string, error) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return nil, fmt.Errorf("IndexByNodeName: %T is not a pod", obj)
	}
	if pod.Spec.NodeName == "" {
		return nil, nil
	}
	return []string{pod.Spec.NodeName}, nil
}

// PodIndexer answers PodsOnNode from an informer indexer carrying
// NodeNameIndex, without scanning the other nodes' pods.
type PodIndexer struct {
	Indexer cache.Indexer
}

// PodsOnNode implements PodLister.
func (p PodIndexer) PodsOnNode(nodeName string) ([]*corev1.Pod, error) {
	objs, err := p.Indexer.ByIndex(NodeNameIndex, nodeName)
	if err != nil {
		return nil, err
	}
	pods := make([]*corev1.Pod, 0, len(objs))
	for _, o := range objs {
		if pod, ok := o.(*corev1.Pod); ok {
			pods = append(pods, pod)
		}
	}
	return pods, nil
}
