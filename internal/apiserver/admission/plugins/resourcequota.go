package plugins

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
	quotausage "github.com/hanok-dev/hanok/internal/apiserver/quota"
)

// ResourceQuota is upstream's plugin of that name: it refuses a write
// that would take a namespace past a ResourceQuota's hard limits, and
// otherwise charges the quota before the object is stored.
//
// Charging is what makes it race-free, as upstream: the new usage is
// written to the quota's status.used with the resourceVersion it was
// computed from (an UpdateStatus through the API), so of two writes that
// both saw room for one more object, one gets a conflict, re-reads the
// quota and is checked again. Within this server, writes to one namespace
// take turns (upstream batches them per namespace to the same end), and
// the quota as last written here is remembered, so they do not conflict
// with each other while the informer catches up.
//
// Nothing is ever released here: deleting an object, or a create that
// fails after admission, leaves status.used too high until the quota
// controller recomputes it from what exists. A quota whose status.used
// lacks a resource (just created, no controller has run yet) gets that
// usage computed from the listers on its first charge.
//
// Creates are charged for every namespaced resource (count/<resource>.<group>
// and the older names: pods, services, configmaps, secrets,
// persistentvolumeclaims, replicationcontrollers, resourcequotas); updates
// only where usage can grow: services (type and ports), claims (resize)
// and pods' resize subresource.
type ResourceQuota struct {
	// Quotas is the ResourceQuota lister.
	Quotas corelisters.ResourceQuotaLister
	// Client charges quotas (UpdateStatus), re-reads them after a
	// conflict and lists a namespace live when the lister shows no quota
	// there. Without it quotas are checked but never charged, which is
	// only right in tests.
	Client corev1client.ResourceQuotasGetter

	// The listers below count what a namespace already uses, for a quota
	// whose status.used lacks a resource; a nil lister means that usage
	// cannot be known and such a quota refuses writes as upstream does
	// ("status unknown for quota") until a controller fills it in.
	Pods                   corelisters.PodLister
	Services               corelisters.ServiceLister
	ConfigMaps             corelisters.ConfigMapLister
	Secrets                corelisters.SecretLister
	PersistentVolumeClaims corelisters.PersistentVolumeClaimLister
	ReplicationControllers corelisters.ReplicationControllerLister
	// Counter counts objects of any other resource (count/<resource>.<group>).
	Counter ObjectCounter

	// Ready waits for the listers; nil means always ready.
	Ready ReadyFunc

	now func() time.Time // tests

	once   sync.Once
	live   *liveLookup[*corev1.ResourceQuota]
	mu     sync.Mutex
	locks  map[string]*namespaceLock
	latest map[string]map[string]charged // namespace -> quota name
}

// ObjectCounter counts a namespace's objects of one resource.
type ObjectCounter interface {
	CountObjects(ctx context.Context, namespace string, gr schema.GroupResource) (int64, error)
}

// charged is a quota as this server last wrote it.
type charged struct {
	quota *corev1.ResourceQuota
	at    time.Time
}

type namespaceLock struct {
	turn chan struct{}
	refs int
}

// maxQuotaAttempts bounds the conflict retries of one write: each retry
// means another server (or the quota controller) charged the quota in
// between, which a handful of times in a row only happens under a storm.
const maxQuotaAttempts = 10

// ignoredQuotaResources are never counted, as upstream: events (they
// would make every controller's reporting fail under quota) and virtual
// resources that are never stored.
var ignoredQuotaResources = map[schema.GroupResource]bool{
	{Resource: "events"}:                                                   true,
	{Group: "events.k8s.io", Resource: "events"}:                           true,
	{Resource: "bindings"}:                                                 true,
	{Resource: "componentstatuses"}:                                        true,
	{Group: "authentication.k8s.io", Resource: "tokenreviews"}:             true,
	{Group: "authentication.k8s.io", Resource: "selfsubjectreviews"}:       true,
	{Group: "authorization.k8s.io", Resource: "subjectaccessreviews"}:      true,
	{Group: "authorization.k8s.io", Resource: "selfsubjectaccessreviews"}:  true,
	{Group: "authorization.k8s.io", Resource: "localsubjectaccessreviews"}: true,
	{Group: "authorization.k8s.io", Resource: "selfsubjectrulesreviews"}:   true,
}

// Validate implements admission.Validator.
func (r *ResourceQuota) Validate(ctx context.Context, a *admission.Attributes) error {
	gr := a.Resource.GroupResource()
	if a.Namespace == "" || a.Object == nil || ignoredQuotaResources[gr] || !quotaHandles(gr, a) {
		return nil
	}
	if err := ensureReady(ctx, r.Ready, a); err != nil {
		return err
	}
	quotas, err := r.quotas(ctx, a.Namespace)
	if err != nil || !anyTracks(quotas, gr) {
		return err
	}
	unlock, err := r.lock(ctx, a.Namespace)
	if err != nil {
		return err
	}
	defer unlock()
	// Re-read under the lock: the previous holder may just have charged.
	if quotas, err = r.quotas(ctx, a.Namespace); err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		updated, err := r.check(ctx, a, gr, quotas)
		if err != nil || a.DryRun || len(updated) == 0 || r.Client == nil {
			return err
		}
		var conflicted []string
		var lastErr error
		for _, q := range updated {
			out, err := r.Client.ResourceQuotas(q.Namespace).UpdateStatus(ctx, q, metav1.UpdateOptions{})
			switch {
			case err == nil:
				r.remember(out)
			case apierrors.IsConflict(err):
				conflicted, lastErr = append(conflicted, q.Name), err
			case apierrors.IsNotFound(err):
				// Deleted since it was read: nothing to charge.
				r.forget(q.Namespace, q.Name)
			default:
				return err
			}
		}
		if len(conflicted) == 0 {
			return nil
		}
		if attempt == maxQuotaAttempts {
			return lastErr
		}
		// Only the quotas that conflicted are checked again: the others
		// are charged already.
		if quotas, err = r.reread(ctx, a.Namespace, conflicted); err != nil {
			return err
		}
	}
}

// quotaHandles: which writes can change usage.
func quotaHandles(gr schema.GroupResource, a *admission.Attributes) bool {
	switch {
	case a.Operation == admission.Create:
		return a.Subresource == ""
	case a.Operation != admission.Update:
		return false
	case gr == podsResource:
		return a.Subresource == "resize"
	case gr == quotausage.ServicesResource || gr == claimsResource:
		return a.Subresource == ""
	}
	return false
}

// anyTracks: some quota limits something objects of gr use; most writes
// in a namespace with quotas stop here without taking the lock.
func anyTracks(quotas []*corev1.ResourceQuota, gr schema.GroupResource) bool {
	for _, q := range quotas {
		for name := range q.Spec.Hard {
			if quotausage.Tracks(gr, name) {
				return true
			}
		}
	}
	return false
}

// check computes each matching quota's usage with the write and refuses
// it as upstream when a limit would be passed. It returns copies of the
// quotas whose status must change, with the new usage.
func (r *ResourceQuota) check(ctx context.Context, a *admission.Attributes, gr schema.GroupResource, quotas []*corev1.ResourceQuota) ([]*corev1.ResourceQuota, error) {
	now := r.clock()
	usage := quotausage.Usage(gr, a.Object, now)
	if neg := negativeNames(usage); len(neg) > 0 {
		return nil, admission.NewForbidden(a, fmt.Errorf("quota usage is negative for resource(s): %s", strings.Join(neg, ",")))
	}
	var prev corev1.ResourceList
	if a.Operation == admission.Update && a.OldObject != nil {
		prev = quotausage.Usage(gr, a.OldObject, now)
	}
	var changed []*corev1.ResourceQuota
	for _, q := range quotas {
		match, err := quotausage.MatchesScopes(q, a.Object)
		if err != nil {
			return nil, fmt.Errorf("error matching scopes of quota %s, err: %v", q.Name, err)
		}
		if !match {
			continue
		}
		hard := q.Spec.Hard
		var limited []corev1.ResourceName
		for name := range hard {
			if quotausage.Tracks(gr, name) {
				limited = append(limited, name)
			}
		}
		if len(limited) == 0 {
			continue
		}
		slices.Sort(limited)
		if pod, ok := a.Object.(*corev1.Pod); ok {
			if err := podConstraints(pod, limited); err != nil {
				return nil, admission.NewForbidden(a, fmt.Errorf("failed quota: %s: %v", q.Name, err))
			}
		}
		used := q.Status.Used.DeepCopy()
		if used == nil {
			used = corev1.ResourceList{}
		}
		var unknown []corev1.ResourceName
		for _, name := range limited {
			if _, ok := used[name]; !ok {
				unknown = append(unknown, name)
			}
		}
		if len(unknown) > 0 {
			current, err := r.currentUsage(ctx, a.Namespace, gr, q, now)
			if err != nil {
				return nil, admission.NewForbidden(a, fmt.Errorf("status unknown for quota: %s, resources: %s", q.Name, joinNames(unknown)))
			}
			for _, name := range unknown {
				v := current[name]
				if v.Format == "" {
					v = *resource.NewQuantity(0, resource.DecimalSI)
				}
				used[name] = v
			}
		}
		delta := usage
		if prev != nil {
			if oldMatch, _ := quotausage.MatchesScopes(q, a.OldObject); oldMatch {
				delta = subtractNonNegative(usage, prev)
			}
		}
		requested := corev1.ResourceList{}
		for _, name := range limited {
			if v, ok := delta[name]; ok && !v.IsZero() {
				requested[name] = v.DeepCopy()
			}
		}
		var exceeded []corev1.ResourceName
		newUsed := used.DeepCopy()
		for name, v := range requested {
			sum := newUsed[name]
			sum.Add(v)
			newUsed[name] = sum
			if sum.Cmp(hard[name]) > 0 {
				exceeded = append(exceeded, name)
			}
		}
		if len(exceeded) > 0 {
			return nil, admission.NewForbidden(a, fmt.Errorf("exceeded quota: %s, requested: %s, used: %s, limited: %s",
				q.Name, prettyPrint(requested, exceeded), prettyPrint(used, exceeded), prettyPrint(hard, exceeded)))
		}
		if len(requested) == 0 && len(unknown) == 0 {
			continue
		}
		nq := q.DeepCopy()
		nq.Status.Used = newUsed
		// What the quota controller would write: the limits in force.
		nq.Status.Hard = hard.DeepCopy()
		changed = append(changed, nq)
	}
	return changed, nil
}

var errUsageUnknown = errors.New("usage cannot be counted")

// currentUsage sums what the namespace's existing objects of gr that
// match q use, from the listers. The object being admitted is not among
// them on create; on update its old self is, and only the difference is
// charged on top.
func (r *ResourceQuota) currentUsage(ctx context.Context, namespace string, gr schema.GroupResource, q *corev1.ResourceQuota, now time.Time) (corev1.ResourceList, error) {
	total := corev1.ResourceList{}
	sum := func(objs []runtime.Object) error {
		for _, o := range objs {
			match, err := quotausage.MatchesScopes(q, o)
			if err != nil {
				return err
			}
			if match {
				quotausage.Add(total, quotausage.Usage(gr, o, now))
			}
		}
		return nil
	}
	everything := labels.Everything()
	switch gr {
	case podsResource:
		if r.Pods == nil {
			return nil, errUsageUnknown
		}
		pods, err := r.Pods.Pods(namespace).List(everything)
		if err != nil {
			return nil, err
		}
		return total, sum(asObjects(pods))
	case quotausage.ServicesResource:
		if r.Services == nil {
			return nil, errUsageUnknown
		}
		svcs, err := r.Services.Services(namespace).List(everything)
		if err != nil {
			return nil, err
		}
		return total, sum(asObjects(svcs))
	case claimsResource:
		if r.PersistentVolumeClaims == nil {
			return nil, errUsageUnknown
		}
		pvcs, err := r.PersistentVolumeClaims.PersistentVolumeClaims(namespace).List(everything)
		if err != nil {
			return nil, err
		}
		return total, sum(asObjects(pvcs))
	}
	// Everything else only has object counts.
	n, err := r.count(ctx, namespace, gr)
	if err != nil {
		return nil, err
	}
	return quotausage.CountUsage(gr, n), nil
}

func (r *ResourceQuota) count(ctx context.Context, namespace string, gr schema.GroupResource) (int64, error) {
	everything := labels.Everything()
	length := func(n int, err error) (int64, error) { return int64(n), err }
	switch gr {
	case corev1.Resource("configmaps"):
		if r.ConfigMaps != nil {
			l, err := r.ConfigMaps.ConfigMaps(namespace).List(everything)
			return length(len(l), err)
		}
	case corev1.Resource("secrets"):
		if r.Secrets != nil {
			l, err := r.Secrets.Secrets(namespace).List(everything)
			return length(len(l), err)
		}
	case corev1.Resource("replicationcontrollers"):
		if r.ReplicationControllers != nil {
			l, err := r.ReplicationControllers.ReplicationControllers(namespace).List(everything)
			return length(len(l), err)
		}
	case corev1.Resource("resourcequotas"):
		if r.Quotas != nil {
			l, err := r.Quotas.ResourceQuotas(namespace).List(everything)
			return length(len(l), err)
		}
	}
	if r.Counter == nil {
		return 0, errUsageUnknown
	}
	return r.Counter.CountObjects(ctx, namespace, gr)
}

func asObjects[T runtime.Object](items []T) []runtime.Object {
	out := make([]runtime.Object, len(items))
	for i, o := range items {
		out[i] = o
	}
	return out
}

// quotas returns the namespace's quotas: from the lister (or, when it
// has none, a live LIST kept for a while), each replaced by the copy this
// server last wrote when that one is newer than the informer's.
func (r *ResourceQuota) quotas(ctx context.Context, namespace string) ([]*corev1.ResourceQuota, error) {
	var items []*corev1.ResourceQuota
	if r.Quotas != nil {
		var err error
		if items, err = r.Quotas.ResourceQuotas(namespace).List(labels.Everything()); err != nil {
			return nil, err
		}
	}
	if len(items) == 0 && r.Client != nil {
		var err error
		if items, err = r.liveQuotas().get(ctx, namespace); err != nil {
			return nil, err
		}
	}
	if len(items) == 0 {
		return nil, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	mine := r.latest[namespace]
	if len(mine) == 0 {
		return items, nil
	}
	out := make([]*corev1.ResourceQuota, len(items))
	now := r.clock()
	for i, q := range items {
		out[i] = q
		c, ok := mine[q.Name]
		switch {
		case !ok:
		case c.quota.UID == q.UID && newerVersion(c.quota.ResourceVersion, q.ResourceVersion):
			out[i] = c.quota
		default:
			// The informer caught up (or the quota was recreated).
			delete(mine, q.Name)
		}
	}
	for name, c := range mine {
		if now.Sub(c.at) > liveLookupTTL {
			delete(mine, name)
		}
	}
	return out, nil
}

// newerVersion compares resourceVersions, which are etcd revisions here
// as upstream; an unparsable one is never newer.
func newerVersion(a, b string) bool {
	x, err1 := strconv.ParseUint(a, 10, 64)
	y, err2 := strconv.ParseUint(b, 10, 64)
	return err1 == nil && err2 == nil && x > y
}

// reread reads the named quotas live, after a conflict.
func (r *ResourceQuota) reread(ctx context.Context, namespace string, names []string) ([]*corev1.ResourceQuota, error) {
	var out []*corev1.ResourceQuota
	for _, name := range names {
		q, err := r.Client.ResourceQuotas(namespace).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			r.forget(namespace, name)
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

func (r *ResourceQuota) remember(q *corev1.ResourceQuota) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.latest == nil {
		r.latest = map[string]map[string]charged{}
	}
	if r.latest[q.Namespace] == nil {
		r.latest[q.Namespace] = map[string]charged{}
	}
	r.latest[q.Namespace][q.Name] = charged{quota: q, at: r.clock()}
}

func (r *ResourceQuota) forget(namespace, name string) {
	r.mu.Lock()
	delete(r.latest[namespace], name)
	if len(r.latest[namespace]) == 0 {
		delete(r.latest, namespace)
	}
	r.mu.Unlock()
	if r.Client != nil {
		r.liveQuotas().forget(namespace)
	}
}

// liveQuotas lists a namespace's quotas through the client.
func (r *ResourceQuota) liveQuotas() *liveLookup[*corev1.ResourceQuota] {
	r.once.Do(func() {
		r.live = newLiveLookup(func(ctx context.Context, ns string) ([]*corev1.ResourceQuota, error) {
			list, err := r.Client.ResourceQuotas(ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				return nil, err
			}
			out := make([]*corev1.ResourceQuota, len(list.Items))
			for i := range list.Items {
				out[i] = &list.Items[i]
			}
			return out, nil
		})
	})
	return r.live
}

// lock gives the caller the namespace's turn, or fails when ctx ends
// while waiting.
func (r *ResourceQuota) lock(ctx context.Context, namespace string) (func(), error) {
	r.mu.Lock()
	if r.locks == nil {
		r.locks = map[string]*namespaceLock{}
	}
	l := r.locks[namespace]
	if l == nil {
		l = &namespaceLock{turn: make(chan struct{}, 1)}
		r.locks[namespace] = l
	}
	l.refs++
	r.mu.Unlock()
	release := func() {
		r.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(r.locks, namespace)
		}
		r.mu.Unlock()
	}
	select {
	case l.turn <- struct{}{}:
		return func() { <-l.turn; release() }, nil
	case <-ctx.Done():
		release()
		return nil, apierrors.NewTimeoutError("waiting for the namespace's resource quota", 1)
	}
}

func (r *ResourceQuota) clock() time.Time {
	if r.now != nil {
		return r.now()
	}
	return time.Now()
}

func negativeNames(l corev1.ResourceList) []string {
	var out []string
	for n, q := range l {
		if q.Sign() < 0 {
			out = append(out, string(n))
		}
	}
	slices.Sort(out)
	return out
}

// subtractNonNegative is a - b, floored at zero per resource: shrinking
// never releases here (the controller recomputes).
func subtractNonNegative(a, b corev1.ResourceList) corev1.ResourceList {
	out := corev1.ResourceList{}
	for n, q := range a {
		d := q.DeepCopy()
		if p, ok := b[n]; ok {
			d.Sub(p)
		}
		if d.Sign() < 0 {
			d = *resource.NewQuantity(0, q.Format)
		}
		out[n] = d
	}
	return out
}

// prettyPrint writes name=value for the given names, sorted, as upstream:
// "pods=1,requests.cpu=500m".
func prettyPrint(l corev1.ResourceList, names []corev1.ResourceName) string {
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	parts := make([]string, 0, len(sorted))
	for _, n := range sorted {
		q := l[n]
		parts = append(parts, string(n)+"="+q.String())
	}
	return strings.Join(parts, ",")
}

func joinNames(names []corev1.ResourceName) string {
	s := make([]string, len(names))
	for i, n := range names {
		s[i] = string(n)
	}
	slices.Sort(s)
	return strings.Join(s, ",")
}
