package resourcequota

import (
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/hanok-dev/hanok/internal/apiserver/quota"
)

// What to write back is decided here, from what exists; what each object
// uses, and which quota names and scopes it counts under, is package
// quota's, the same rules the API server's ResourceQuota admission plugin
// charges by.

// inventory is what a namespace holds, as far as one quota needs it.
type inventory struct {
	pods     []*corev1.Pod
	services []*corev1.Service
	claims   []*corev1.PersistentVolumeClaim
	// counts are the object counts of every other resource the quota
	// limits (configmaps, secrets, count/deployments.apps, ...).
	counts map[schema.GroupResource]int64
	// uncounted are resources that could not be counted: their usage
	// stays as it was.
	uncounted []schema.GroupResource
}

// needed is the set of resources whose objects q's hard limits are about.
func needed(q *corev1.ResourceQuota) map[schema.GroupResource]bool {
	out := map[schema.GroupResource]bool{}
	for name := range q.Spec.Hard {
		if gr, ok := quota.ResourceFor(name); ok {
			out[gr] = true
		}
	}
	return out
}

// used is q's status.used given what exists: for every name in
// spec.hard, the sum over the objects that match q's scopes (zero when
// none), except names no evaluator tracks, which keep their old value.
func used(q *corev1.ResourceQuota, inv inventory, now time.Time) (corev1.ResourceList, error) {
	total := corev1.ResourceList{}
	for _, pod := range inv.pods {
		match, err := quota.MatchesScopes(q, pod)
		if err != nil {
			return nil, err
		}
		if match {
			quota.Add(total, quota.PodUsage(pod, now))
		}
	}
	// Scopes select pods only: a scoped quota counts nothing else.
	if len(quota.ScopeSelectors(q)) == 0 {
		for _, svc := range inv.services {
			quota.Add(total, quota.ServiceUsage(svc))
		}
		for _, pvc := range inv.claims {
			quota.Add(total, quota.ClaimUsage(pvc))
		}
		for gr, n := range inv.counts {
			quota.Add(total, quota.CountUsage(gr, n))
		}
	}
	out := corev1.ResourceList{}
	for name := range q.Spec.Hard {
		if gr, known := quota.ResourceFor(name); !known || slices.Contains(inv.uncounted, gr) {
			if v, ok := q.Status.Used[name]; ok {
				out[name] = v.DeepCopy()
			}
			continue
		}
		if v, ok := total[name]; ok {
			out[name] = v
		} else {
			out[name] = *resource.NewQuantity(0, resource.DecimalSI)
		}
	}
	return out, nil
}

// upToDate: q's status already says hard and used.
func upToDate(q *corev1.ResourceQuota, used corev1.ResourceList) bool {
	return equalLists(q.Status.Hard, q.Spec.Hard) && equalLists(q.Status.Used, used)
}

// equalLists: the same names with equal quantities (5 and 5000m agree).
func equalLists(a, b corev1.ResourceList) bool {
	if len(a) != len(b) {
		return false
	}
	for n, q := range a {
		p, ok := b[n]
		if !ok || q.Cmp(p) != 0 {
			return false
		}
	}
	return true
}
