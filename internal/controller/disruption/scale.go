package disruption

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	appslisters "k8s.io/client-go/listers/apps/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
)

// scales finds the replica count of a pod's controller: the workload
// kinds from the informers, as upstream's finders (a ReplicaSet owned by a
// Deployment answers with the Deployment's count), anything else from its
// /scale subresource.
type scales struct {
	replicaSets  appslisters.ReplicaSetLister
	deployments  appslisters.DeploymentLister
	statefulSets appslisters.StatefulSetLister
	rcs          corelisters.ReplicationControllerLister
	scaleReader  *scaleReader
}

var (
	replicaSetKind  = appsv1.SchemeGroupVersion.WithKind("ReplicaSet")
	deploymentKind  = appsv1.SchemeGroupVersion.WithKind("Deployment")
	statefulSetKind = appsv1.SchemeGroupVersion.WithKind("StatefulSet")
)

// of implements scaleFunc for ctx.
func (s *scales) of(ctx context.Context) scaleFunc {
	return func(ns string, ref *metav1.OwnerReference) (int32, bool, error) {
		gv, err := schema.ParseGroupVersion(ref.APIVersion)
		if err != nil {
			return 0, false, nil
		}
		// Upstream's finders compare group and kind, not version.
		switch gk := gv.WithKind(ref.Kind).GroupKind(); gk {
		case replicaSetKind.GroupKind():
			return s.replicaSet(ns, ref)
		case deploymentKind.GroupKind():
			d, err := s.deployments.Deployments(ns).Get(ref.Name)
			return replicasOf(d, err, ref, func(d *appsv1.Deployment) (metav1.Object, *int32) { return d, d.Spec.Replicas })
		case statefulSetKind.GroupKind():
			ss, err := s.statefulSets.StatefulSets(ns).Get(ref.Name)
			return replicasOf(ss, err, ref, func(ss *appsv1.StatefulSet) (metav1.Object, *int32) { return ss, ss.Spec.Replicas })
		case schema.GroupKind{Kind: "ReplicationController"}:
			rc, err := s.rcs.ReplicationControllers(ns).Get(ref.Name)
			return replicasOf(rc, err, ref, func(rc *corev1.ReplicationController) (metav1.Object, *int32) { return rc, rc.Spec.Replicas })
		}
		if s.scaleReader == nil {
			return 0, false, nil
		}
		return s.scaleReader.replicas(ctx, ns, ref)
	}
}

// replicaSet: a ReplicaSet's own count, or its Deployment's when it has
// one (the Deployment decides how many pods there are across its sets).
func (s *scales) replicaSet(ns string, ref *metav1.OwnerReference) (int32, bool, error) {
	rs, err := s.replicaSets.ReplicaSets(ns).Get(ref.Name)
	if apierrors.IsNotFound(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if rs.UID != ref.UID {
		return 0, false, nil
	}
	if owner := metav1.GetControllerOf(rs); owner != nil && owner.Kind == deploymentKind.Kind &&
		strings.HasPrefix(owner.APIVersion, appsv1.GroupName+"/") {
		d, err := s.deployments.Deployments(ns).Get(owner.Name)
		return replicasOf(d, err, owner, func(d *appsv1.Deployment) (metav1.Object, *int32) { return d, d.Spec.Replicas })
	}
	return replicasOf(rs, nil, ref, func(rs *appsv1.ReplicaSet) (metav1.Object, *int32) { return rs, rs.Spec.Replicas })
}

// replicasOf is obj's replica count when obj is the object ref names
// (same UID); spec.replicas unset means 1, as defaulting makes it.
func replicasOf[T any](obj T, err error, ref *metav1.OwnerReference, get func(T) (metav1.Object, *int32)) (int32, bool, error) {
	if apierrors.IsNotFound(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	m, replicas := get(obj)
	if m.GetUID() != ref.UID {
		return 0, false, nil
	}
	if replicas == nil {
		return 1, true, nil
	}
	return *replicas, true, nil
}

// scaleReader reads any kind's /scale subresource, finding the kind's
// resource by discovery.
type scaleReader struct {
	discovery discovery.DiscoveryInterface

	mu        sync.Mutex
	resources map[schema.GroupVersionKind]string // "" when the kind has no /scale
}

func newScaleReader(d discovery.DiscoveryInterface) *scaleReader {
	return &scaleReader{discovery: d, resources: map[schema.GroupVersionKind]string{}}
}

func (r *scaleReader) replicas(ctx context.Context, ns string, ref *metav1.OwnerReference) (int32, bool, error) {
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return 0, false, nil
	}
	resource, err := r.resource(gv.WithKind(ref.Kind))
	if err != nil || resource == "" {
		return 0, false, err
	}
	prefix := "/apis/" + gv.String()
	if gv.Group == "" {
		prefix = "/api/" + gv.Version
	}
	raw, err := r.discovery.RESTClient().Get().AbsPath(prefix, "namespaces", ns, resource, ref.Name, "scale").
		SetHeader("Accept", "application/json").Do(ctx).Raw()
	if apierrors.IsNotFound(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	var scale autoscalingv1.Scale
	if err := json.Unmarshal(raw, &scale); err != nil {
		return 0, false, fmt.Errorf("scale of %s %s: %w", ref.Kind, ref.Name, err)
	}
	if scale.UID != "" && scale.UID != ref.UID {
		return 0, false, nil
	}
	return scale.Spec.Replicas, true, nil
}

// resource is the plural of gvk when it serves /scale, else "".
func (r *scaleReader) resource(gvk schema.GroupVersionKind) (string, error) {
	r.mu.Lock()
	res, ok := r.resources[gvk]
	r.mu.Unlock()
	if ok {
		return res, nil
	}
	list, err := r.discovery.ServerResourcesForGroupVersion(gvk.GroupVersion().String())
	if apierrors.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var plural string
	subresources := map[string]bool{}
	for _, a := range list.APIResources {
		if a.Kind == gvk.Kind && !strings.Contains(a.Name, "/") {
			plural = a.Name
		}
		subresources[a.Name] = true
	}
	if plural != "" && !subresources[plural+"/scale"] {
		plural = ""
	}
	r.mu.Lock()
	r.resources[gvk] = plural
	r.mu.Unlock()
	return plural, nil
}
