package namespace

import (
	"context"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/metadata"
)

// finalizerEstimate is how long content held by a finalizer is expected to
// take (upstream's 15s is for finalizers run by other controllers; ours
// are quick, and the namespace is looked at again sooner).
const finalizerEstimate = 5 * time.Second

// resource is one namespaced resource the server serves.
type resource struct {
	gvr              schema.GroupVersionResource
	deleteCollection bool
}

// discover lists every namespaced resource that can be listed and deleted,
// in the server's preferred version of each group. A partial failure
// returns what was found and the error.
func discover(d discovery.DiscoveryInterface, r *result) []resource {
	lists, err := discovery.ServerPreferredNamespacedResources(d)
	if err != nil {
		r.discoveryErr = err
	}
	var out []resource
	for _, list := range lists {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil {
			r.parseErrs = append(r.parseErrs, fmt.Errorf("%s: %w", list.GroupVersion, err))
			continue
		}
		for _, res := range list.APIResources {
			verbs := sets.New(res.Verbs...)
			if strings.Contains(res.Name, "/") || !verbs.HasAll("list", "delete") {
				continue
			}
			out = append(out, resource{gvr: gv.WithResource(res.Name), deleteCollection: verbs.Has("deletecollection")})
		}
	}
	return out
}

// background is how content is deleted: its own dependents go with it,
// through the garbage collector, as upstream.
var background = metav1.DeletePropagationBackground

// deleteContent deletes everything of res in ns and notes in r what is
// still there afterwards.
func deleteContent(ctx context.Context, client metadata.Interface, ns string, res resource, r *result) {
	rc := client.Resource(res.gvr).Namespace(ns)
	opts := metav1.DeleteOptions{PropagationPolicy: &background}
	deleted := false
	if res.deleteCollection {
		err := rc.DeleteCollection(ctx, opts, metav1.ListOptions{})
		switch {
		case err == nil:
			deleted = true
		case apierrors.IsMethodNotSupported(err), apierrors.IsNotFound(err):
			// Fall back to one by one.
		default:
			r.deleteErrs = append(r.deleteErrs, fmt.Errorf("%s: %w", resourceName(res.gvr), err))
			return
		}
	}
	list, err := rc.List(ctx, metav1.ListOptions{})
	if err != nil {
		if !apierrors.IsNotFound(err) && !apierrors.IsMethodNotSupported(err) {
			r.deleteErrs = append(r.deleteErrs, fmt.Errorf("%s: %w", resourceName(res.gvr), err))
		}
		return
	}
	if !deleted {
		for _, item := range list.Items {
			if item.DeletionTimestamp != nil {
				continue
			}
			o := opts
			o.Preconditions = &metav1.Preconditions{UID: &item.UID}
			if err := rc.Delete(ctx, item.Name, o); err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
				r.deleteErrs = append(r.deleteErrs, fmt.Errorf("%s %s: %w", resourceName(res.gvr), item.Name, err))
			}
		}
		if list, err = rc.List(ctx, metav1.ListOptions{}); err != nil {
			r.deleteErrs = append(r.deleteErrs, fmt.Errorf("%s: %w", resourceName(res.gvr), err))
			return
		}
	}
	now := time.Now()
	for _, item := range list.Items {
		r.remaining[resourceName(res.gvr)]++
		estimate := time.Second
		if ts := item.DeletionTimestamp; ts != nil && ts.After(now) {
			estimate = ts.Sub(now) // a graceful pod's remaining grace
		}
		for _, f := range item.Finalizers {
			r.finalizers[f]++
			estimate = max(estimate, finalizerEstimate)
		}
		r.estimate = max(r.estimate, estimate)
	}
}
