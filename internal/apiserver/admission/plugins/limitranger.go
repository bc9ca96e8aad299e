package plugins

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	resourcehelper "k8s.io/component-helpers/resource"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

// LimitRanger is upstream's plugin of that name: the namespace's
// LimitRanges give containers their default requests and limits (so pods
// written without any still get scheduled sensibly and count against
// quota), and bound what containers, pods and claims may ask for.
//
// Creates are defaulted and checked, and updates that can change what is
// asked for: a pod's "resize" and a claim's expansion. A pod's containers
// cannot change otherwise, and re-checking an existing pod against a
// LimitRange created after it would block unrelated updates.
type LimitRanger struct {
	// LimitRanges is the LimitRange lister.
	LimitRanges corelisters.LimitRangeLister
	// Client lists a namespace's LimitRanges live when the lister shows
	// none (one created a moment ago); nil means the lister alone decides.
	Client corev1client.LimitRangesGetter
	// Ready waits for the lister; nil means always ready.
	Ready ReadyFunc

	once sync.Once
	live *liveLookup[*corev1.LimitRange]
}

// limitRangerAnnotation records what the plugin defaulted, as upstream.
const limitRangerAnnotation = "kubernetes.io/limit-ranger"

// Admit implements admission.Mutator: default requests and limits.
func (l *LimitRanger) Admit(ctx context.Context, a *admission.Attributes) error {
	pod, ok := a.Object.(*corev1.Pod)
	if !ok || !l.handles(a) || a.Operation != admission.Create {
		return nil
	}
	ranges, err := l.ranges(ctx, a)
	if err != nil {
		return err
	}
	for _, lr := range ranges {
		defaultPodResources(pod, containerDefaults(lr))
	}
	return nil
}

// Validate implements admission.Validator: min, max and ratios.
func (l *LimitRanger) Validate(ctx context.Context, a *admission.Attributes) error {
	if !l.handles(a) {
		return nil
	}
	ranges, err := l.ranges(ctx, a)
	if err != nil || len(ranges) == 0 {
		return err
	}
	var errs []error
	for _, lr := range ranges {
		switch obj := a.Object.(type) {
		case *corev1.Pod:
			errs = append(errs, validatePodLimits(lr, obj)...)
		case *corev1.PersistentVolumeClaim:
			errs = append(errs, validateClaimLimits(lr, obj)...)
		}
	}
	if len(errs) > 0 {
		return admission.NewForbidden(a, utilerrors.NewAggregate(errs))
	}
	return nil
}

// handles selects pod and claim creates and pod resizes, as upstream,
// and skips objects being deleted.
func (l *LimitRanger) handles(a *admission.Attributes) bool {
	gk := a.Kind.GroupKind()
	isPod := gk == (corev1.SchemeGroupVersion.WithKind("Pod").GroupKind())
	isClaim := gk == (corev1.SchemeGroupVersion.WithKind("PersistentVolumeClaim").GroupKind())
	if !isPod && !isClaim || a.Object == nil {
		return false
	}
	switch {
	case a.Operation == admission.Create && a.Subresource == "":
	case a.Operation == admission.Update && isPod && a.Subresource == "resize":
	case a.Operation == admission.Update && isClaim && a.Subresource == "":
	default:
		return false
	}
	if a.OldObject != nil {
		if m, err := meta.Accessor(a.OldObject); err == nil && m.GetDeletionTimestamp() != nil {
			return false
		}
	}
	return true
}

// ranges lists the namespace's LimitRanges, live when the lister has none.
func (l *LimitRanger) ranges(ctx context.Context, a *admission.Attributes) ([]*corev1.LimitRange, error) {
	if err := ensureReady(ctx, l.Ready, a); err != nil {
		return nil, err
	}
	var items []*corev1.LimitRange
	if l.LimitRanges != nil {
		var err error
		if items, err = l.LimitRanges.LimitRanges(a.Namespace).List(labels.Everything()); err != nil {
			return nil, err
		}
	}
	if len(items) > 0 || l.Client == nil {
		return items, nil
	}
	l.once.Do(func() {
		l.live = newLiveLookup(func(ctx context.Context, ns string) ([]*corev1.LimitRange, error) {
			list, err := l.Client.LimitRanges(ns).List(ctx, metav1.ListOptions{ResourceVersion: "0"})
			if err != nil {
				return nil, err
			}
			out := make([]*corev1.LimitRange, len(list.Items))
			for i := range list.Items {
				out[i] = &list.Items[i]
			}
			return out, nil
		})
	})
	return l.live.get(ctx, a.Namespace)
}

// containerDefaults gathers the default requests and limits of a
// LimitRange's Container items.
func containerDefaults(lr *corev1.LimitRange) corev1.ResourceRequirements {
	req := corev1.ResourceRequirements{Requests: corev1.ResourceList{}, Limits: corev1.ResourceList{}}
	for _, item := range lr.Spec.Limits {
		if item.Type != corev1.LimitTypeContainer {
			continue
		}
		for k, v := range item.DefaultRequest {
			req.Requests[k] = v.DeepCopy()
		}
		for k, v := range item.Default {
			req.Limits[k] = v.DeepCopy()
		}
	}
	return req
}

// defaultPodResources fills what each container leaves unset and records
// it in the pod's annotation, as upstream.
func defaultPodResources(pod *corev1.Pod, defaults corev1.ResourceRequirements) {
	if len(defaults.Requests) == 0 && len(defaults.Limits) == 0 {
		return
	}
	var notes []string
	for i := range pod.Spec.Containers {
		notes = defaultContainer(&pod.Spec.Containers[i], defaults, "container", notes)
	}
	for i := range pod.Spec.InitContainers {
		notes = defaultContainer(&pod.Spec.InitContainers[i], defaults, "init container", notes)
	}
	if len(notes) == 0 {
		return
	}
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	pod.Annotations[limitRangerAnnotation] = "LimitRanger plugin set: " + strings.Join(notes, "; ")
}

func defaultContainer(c *corev1.Container, defaults corev1.ResourceRequirements, kind string, notes []string) []string {
	fill := func(list *corev1.ResourceList, from corev1.ResourceList) []string {
		var set []string
		for k, v := range from {
			if _, ok := (*list)[k]; ok {
				continue
			}
			if *list == nil {
				*list = corev1.ResourceList{}
			}
			(*list)[k] = v.DeepCopy()
			set = append(set, string(k))
		}
		sort.Strings(set)
		return set
	}
	if set := fill(&c.Resources.Requests, defaults.Requests); len(set) > 0 {
		notes = append(notes, fmt.Sprintf("%s request for %s %s", strings.Join(set, ", "), kind, c.Name))
	}
	if set := fill(&c.Resources.Limits, defaults.Limits); len(set) > 0 {
		notes = append(notes, fmt.Sprintf("%s limit for %s %s", strings.Join(set, ", "), kind, c.Name))
	}
	return notes
}

// validatePodLimits checks every container against Container items and
// the pod's totals against Pod items.
func validatePodLimits(lr *corev1.LimitRange, pod *corev1.Pod) []error {
	var errs []error
	for _, item := range lr.Spec.Limits {
		kind := string(item.Type)
		switch item.Type {
		case corev1.LimitTypeContainer:
			check := func(c *corev1.Container) {
				errs = append(errs, checkItem(kind, item, c.Resources.Requests, c.Resources.Limits)...)
			}
			for i := range pod.Spec.Containers {
				check(&pod.Spec.Containers[i])
			}
			for i := range pod.Spec.InitContainers {
				check(&pod.Spec.InitContainers[i])
			}
		case corev1.LimitTypePod:
			// What the pod as a whole takes: containers summed, init
			// containers' peak, sidecars; overhead belongs to the runtime,
			// not to the pod's ask.
			opts := resourcehelper.PodResourcesOptions{ExcludeOverhead: true}
			errs = append(errs, checkItem(kind, item, resourcehelper.PodRequests(pod, opts), resourcehelper.PodLimits(pod, opts))...)
		}
	}
	return errs
}

func checkItem(kind string, item corev1.LimitRangeItem, requests, limits corev1.ResourceList) []error {
	var errs []error
	for _, k := range sortedNames(item.Min) {
		errs = appendErr(errs, minConstraint(kind, k, item.Min[k], requests, limits))
	}
	for _, k := range sortedNames(item.Max) {
		errs = appendErr(errs, maxConstraint(kind, k, item.Max[k], requests, limits))
	}
	for _, k := range sortedNames(item.MaxLimitRequestRatio) {
		errs = appendErr(errs, ratioConstraint(kind, k, item.MaxLimitRequestRatio[k], requests, limits))
	}
	return errs
}

// validateClaimLimits checks a claim's requested storage against
// PersistentVolumeClaim items (a claim's limits are not the user's ask).
func validateClaimLimits(lr *corev1.LimitRange, pvc *corev1.PersistentVolumeClaim) []error {
	var errs []error
	for _, item := range lr.Spec.Limits {
		if item.Type != corev1.LimitTypePersistentVolumeClaim {
			continue
		}
		kind := string(item.Type)
		for _, k := range sortedNames(item.Min) {
			errs = appendErr(errs, minConstraint(kind, k, item.Min[k], pvc.Spec.Resources.Requests, corev1.ResourceList{}))
		}
		for _, k := range sortedNames(item.Max) {
			req, ok := pvc.Spec.Resources.Requests[k]
			enforced := item.Max[k]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("maximum %s usage per %s is %s.  No request is specified", k, kind, enforced.String()))
			case req.Cmp(enforced) > 0:
				errs = append(errs, fmt.Errorf("maximum %s usage per %s is %s, but request is %s", k, kind, enforced.String(), req.String()))
			}
		}
	}
	return errs
}

func appendErr(errs []error, err error) []error {
	if err != nil {
		return append(errs, err)
	}
	return errs
}

func sortedNames(l corev1.ResourceList) []corev1.ResourceName {
	names := make([]corev1.ResourceName, 0, len(l))
	for k := range l {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return names[i] < names[j] })
	return names
}

// atCommonScale brings a request, a limit and the enforced value to one
// scale: milli-units when none would overflow (so 100m compares with
// 0.1), whole units otherwise.
func atCommonScale(req, lim, enforced resource.Quantity) (int64, int64, int64) {
	r, l, e := req.Value(), lim.Value(), enforced.Value()
	if r <= resource.MaxMilliValue && l <= resource.MaxMilliValue && e <= resource.MaxMilliValue {
		return req.MilliValue(), lim.MilliValue(), enforced.MilliValue()
	}
	return r, l, e
}

// The three checks below word their refusals as upstream does, which
// users and tests match on.

func minConstraint(kind string, name corev1.ResourceName, enforced resource.Quantity, requests, limits corev1.ResourceList) error {
	req, hasReq := requests[name]
	lim, hasLim := limits[name]
	r, l, e := atCommonScale(req, lim, enforced)
	switch {
	case !hasReq:
		return fmt.Errorf("minimum %s usage per %s is %s.  No request is specified", name, kind, enforced.String())
	case r < e:
		return fmt.Errorf("minimum %s usage per %s is %s, but request is %s", name, kind, enforced.String(), req.String())
	case hasLim && l < e:
		return fmt.Errorf("minimum %s usage per %s is %s, but limit is %s", name, kind, enforced.String(), lim.String())
	}
	return nil
}

func maxConstraint(kind string, name corev1.ResourceName, enforced resource.Quantity, requests, limits corev1.ResourceList) error {
	req, hasReq := requests[name]
	lim, hasLim := limits[name]
	r, l, e := atCommonScale(req, lim, enforced)
	switch {
	case !hasLim:
		return fmt.Errorf("maximum %s usage per %s is %s.  No limit is specified", name, kind, enforced.String())
	case l > e:
		return fmt.Errorf("maximum %s usage per %s is %s, but limit is %s", name, kind, enforced.String(), lim.String())
	case hasReq && r > e:
		return fmt.Errorf("maximum %s usage per %s is %s, but request is %s", name, kind, enforced.String(), req.String())
	}
	return nil
}

func ratioConstraint(kind string, name corev1.ResourceName, enforced resource.Quantity, requests, limits corev1.ResourceList) error {
	req, hasReq := requests[name]
	lim, hasLim := limits[name]
	r, l, _ := atCommonScale(req, lim, enforced)
	if !hasReq || r == 0 {
		return fmt.Errorf("%s max limit to request ratio per %s is %s, but no request is specified or request is 0", name, kind, enforced.String())
	}
	if !hasLim || l == 0 {
		return fmt.Errorf("%s max limit to request ratio per %s is %s, but no limit is specified or limit is 0", name, kind, enforced.String())
	}
	ratio := float64(l) / float64(r)
	observed, allowed := ratio, float64(enforced.Value())
	if enforced.Value() <= resource.MaxMilliValue {
		observed, allowed = ratio*1000, float64(enforced.MilliValue())
	}
	if observed > allowed {
		return fmt.Errorf("%s max limit to request ratio per %s is %s, but provided ratio is %f", name, kind, enforced.String(), ratio)
	}
	return nil
}
