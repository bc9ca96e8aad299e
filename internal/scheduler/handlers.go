package scheduler

import (
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/client-go/tools/cache"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
)

// addHandlers routes informer events: assigned pods and nodes to the
// cache (and wake the pods the change may help), pending pods of our
// profiles to the queue.
func (s *Scheduler) addHandlers() {
	_, _ = s.listers.pods.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { s.onPodAdd(obj.(*v1.Pod)) },
		UpdateFunc: func(old, obj any) { s.onPodUpdate(old.(*v1.Pod), obj.(*v1.Pod)) },
		DeleteFunc: func(obj any) {
			if pod := podOf(obj); pod != nil {
				s.onPodDelete(pod)
			}
		},
	})
	for inf, ev := range map[cache.SharedIndexInformer]framework.ClusterEvent{
		s.listers.claims.Informer():  framework.PVCChange,
		s.listers.volumes.Informer(): framework.PVChange,
		s.listers.classes.Informer(): framework.StorageClassAdd,
	} {
		move := func(any) { s.queue.MoveOnEvent(ev) }
		_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: move, UpdateFunc: func(_, o any) { move(o) }})
	}
	_, _ = s.listers.nodes.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			s.cache.AddNode(obj.(*v1.Node))
			s.queue.MoveOnEvent(framework.NodeAdd)
		},
		UpdateFunc: func(old, obj any) {
			o, n := old.(*v1.Node), obj.(*v1.Node)
			s.cache.UpdateNode(n)
			if nodeSchedulingChanged(o, n) {
				s.queue.MoveOnEvent(framework.NodeUpdate)
			}
		},
		DeleteFunc: func(obj any) {
			switch n := obj.(type) {
			case *v1.Node:
				s.cache.RemoveNode(n.Name)
			case cache.DeletedFinalStateUnknown:
				if node, ok := n.Obj.(*v1.Node); ok {
					s.cache.RemoveNode(node.Name)
				}
			}
		},
	})
}

func podOf(obj any) *v1.Pod {
	switch p := obj.(type) {
	case *v1.Pod:
		return p
	case cache.DeletedFinalStateUnknown:
		pod, _ := p.Obj.(*v1.Pod)
		return pod
	}
	return nil
}

func terminal(pod *v1.Pod) bool {
	return pod.Status.Phase == v1.PodSucceeded || pod.Status.Phase == v1.PodFailed
}

// pending: unassigned, alive, not gated, ours.
func (s *Scheduler) pending(pod *v1.Pod) bool {
	return pod.Spec.NodeName == "" && !terminal(pod) && pod.DeletionTimestamp == nil &&
		len(pod.Spec.SchedulingGates) == 0 && s.responsible(pod)
}

func (s *Scheduler) onPodAdd(pod *v1.Pod) {
	switch {
	case pod.Spec.NodeName != "":
		if !terminal(pod) {
			s.cache.AddPod(pod)
			s.queue.MoveOnEvent(framework.AssignedPodAdd)
		}
	case s.pending(pod):
		s.queue.Add(pod)
		if pod.Status.NominatedNodeName != "" {
			s.nominator.set(pod, "")
		}
	}
}

func (s *Scheduler) onPodUpdate(old, pod *v1.Pod) {
	if pod.Spec.NodeName == "" {
		if s.pending(pod) {
			s.queue.Update(old, pod)
			if pod.Status.NominatedNodeName != old.Status.NominatedNodeName {
				s.nominator.set(pod, "")
			}
		} else {
			s.queue.Delete(pod) // gated again, deleting, or no longer ours
			s.nominator.forget(pod)
		}
		return
	}
	if old.Spec.NodeName == "" {
		s.queue.Delete(pod) // bound (by us or anyone)
		s.nominator.forget(pod)
	}
	if terminal(pod) {
		s.cache.RemovePod(pod)
		s.queue.MoveOnEvent(framework.AssignedPodDelete)
		return
	}
	s.cache.UpdatePod(pod)
	switch {
	case old.Spec.NodeName == "":
		s.queue.MoveOnEvent(framework.AssignedPodAdd)
	case !equality.Semantic.DeepEqual(old.Labels, pod.Labels) || !equality.Semantic.DeepEqual(old.Spec, pod.Spec):
		s.queue.MoveOnEvent(framework.AssignedPodUpdate)
	}
}

func (s *Scheduler) onPodDelete(pod *v1.Pod) {
	// By UID: a pod deleted before its binding reached the informer is
	// still assumed in the cache.
	s.cache.RemovePod(pod)
	s.nominator.forget(pod)
	if pod.Spec.NodeName == "" {
		s.queue.Delete(pod)
		return
	}
	s.queue.MoveOnEvent(framework.AssignedPodDelete)
}

// nodeSchedulingChanged ignores heartbeats: only what a plugin reads
// (labels, taints, allocatable, cordon, images) wakes pods.
func nodeSchedulingChanged(o, n *v1.Node) bool {
	return !equality.Semantic.DeepEqual(o.Labels, n.Labels) ||
		!equality.Semantic.DeepEqual(o.Spec.Taints, n.Spec.Taints) ||
		o.Spec.Unschedulable != n.Spec.Unschedulable ||
		!equality.Semantic.DeepEqual(o.Status.Allocatable, n.Status.Allocatable) ||
		!equality.Semantic.DeepEqual(o.Status.Images, n.Status.Images)
}
