package podtopologyspread

import (
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	appslisters "k8s.io/client-go/listers/apps/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
)

// Listers are what DefaultSelector reads.
type Listers struct {
	Services               corelisters.ServiceLister
	ReplicationControllers corelisters.ReplicationControllerLister
	ReplicaSets            appslisters.ReplicaSetLister
	StatefulSets           appslisters.StatefulSetLister
}

// DefaultSelector is upstream's: the merged selectors of the services
// that select pod, and of its controlling ReplicationController,
// ReplicaSet or StatefulSet — "the pod's siblings".
func (l *Listers) DefaultSelector(pod *v1.Pod) labels.Selector {
	set := labels.Set{}
	if svcs, err := l.Services.Services(pod.Namespace).List(labels.Everything()); err == nil {
		for _, svc := range svcs {
			if len(svc.Spec.Selector) > 0 && labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(pod.Labels)) {
				set = labels.Merge(set, svc.Spec.Selector)
			}
		}
	}
	sel := set.AsSelector()
	owner := metav1.GetControllerOfNoCopy(pod)
	if owner == nil {
		return sel
	}
	addSelector := func(ls *metav1.LabelSelector) {
		other, err := metav1.LabelSelectorAsSelector(ls)
		if err != nil {
			return
		}
		if reqs, ok := other.Requirements(); ok {
			sel = sel.Add(reqs...)
		}
	}
	switch {
	case owner.Kind == "ReplicationController" && owner.APIVersion == "v1":
		if rc, err := l.ReplicationControllers.ReplicationControllers(pod.Namespace).Get(owner.Name); err == nil {
			set = labels.Merge(set, rc.Spec.Selector)
			sel = set.AsSelector()
		}
	case owner.Kind == "ReplicaSet" && owner.APIVersion == "apps/v1":
		if rs, err := l.ReplicaSets.ReplicaSets(pod.Namespace).Get(owner.Name); err == nil {
			addSelector(rs.Spec.Selector)
		}
	case owner.Kind == "StatefulSet" && owner.APIVersion == "apps/v1":
		if ss, err := l.StatefulSets.StatefulSets(pod.Namespace).Get(owner.Name); err == nil {
			addSelector(ss.Spec.Selector)
		}
	}
	return sel
}
