package namespace

import (
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// result is what one pass over a namespace's content found.
type result struct {
	// discoveryErr: some groups could not be discovered (what was
	// discovered was still deleted).
	discoveryErr error
	// parseErrs: group versions discovery named that do not parse.
	parseErrs []error
	// deleteErrs: resources whose content could not be listed or deleted.
	deleteErrs []error
	// remaining counts what is still there, by resource ("pods",
	// "deployments.apps"); finalizers counts what holds it, by finalizer.
	remaining  map[string]int
	finalizers map[string]int
	// estimate is how long until what remains is likely gone.
	estimate time.Duration
}

func newResult() *result {
	return &result{remaining: map[string]int{}, finalizers: map[string]int{}}
}

// resourceName is how conditions name a resource: "pods",
// "deployments.apps".
func resourceName(gvr schema.GroupVersionResource) string {
	return gvr.GroupResource().String()
}

// done tells whether the content is gone and the finalizer may go.
func (r *result) done() bool {
	return r.discoveryErr == nil && len(r.parseErrs) == 0 && len(r.deleteErrs) == 0 && len(r.remaining) == 0
}

// Upstream's reasons and messages for the conditions, when all is well
// and when it is not.
var conditionTexts = []struct {
	kind                     corev1.NamespaceConditionType
	okReason, okMessage, bad string
}{
	{corev1.NamespaceDeletionDiscoveryFailure, "ResourcesDiscovered", "All resources successfully discovered", "DiscoveryFailed"},
	{corev1.NamespaceDeletionGVParsingFailure, "ParsedGroupVersions", "All legacy kube types successfully parsed", "GroupVersionParsingFailed"},
	{corev1.NamespaceDeletionContentFailure, "ContentDeleted", "All content successfully deleted, may be waiting on finalization", "ContentDeletionFailed"},
	{corev1.NamespaceContentRemaining, "ContentRemoved", "All content successfully removed", "SomeResourcesRemain"},
	{corev1.NamespaceFinalizersRemaining, "ContentHasNoFinalizers", "All content-preserving finalizers finished", "SomeFinalizersRemain"},
}

// conditions are the five deletion conditions for r.
func (r *result) conditions() []corev1.NamespaceCondition {
	failures := map[corev1.NamespaceConditionType]string{}
	if r.discoveryErr != nil {
		failures[corev1.NamespaceDeletionDiscoveryFailure] = fmt.Sprintf("Discovery failed for some groups: %v", r.discoveryErr)
	}
	if len(r.parseErrs) > 0 {
		failures[corev1.NamespaceDeletionGVParsingFailure] = fmt.Sprintf("Failed to parse some group versions, %d failing: %s", len(r.parseErrs), joinErrors(r.parseErrs))
	}
	if len(r.deleteErrs) > 0 {
		failures[corev1.NamespaceDeletionContentFailure] = fmt.Sprintf("Failed to delete all resource types, %d remaining: %s", len(r.deleteErrs), joinErrors(r.deleteErrs))
	}
	if len(r.remaining) > 0 {
		failures[corev1.NamespaceContentRemaining] = "Some resources are remaining: " + joinCounts(r.remaining, "%s has %d resource instances")
	}
	if len(r.finalizers) > 0 {
		failures[corev1.NamespaceFinalizersRemaining] = "Some content in the namespace has finalizers remaining: " + joinCounts(r.finalizers, "%s in %d resource instances")
	}
	out := make([]corev1.NamespaceCondition, 0, len(conditionTexts))
	for _, c := range conditionTexts {
		cond := corev1.NamespaceCondition{Type: c.kind, Status: corev1.ConditionFalse, Reason: c.okReason, Message: c.okMessage}
		if msg, bad := failures[c.kind]; bad {
			cond.Status, cond.Reason, cond.Message = corev1.ConditionTrue, c.bad, msg
		}
		out = append(out, cond)
	}
	return out
}

func joinErrors(errs []error) string {
	msgs := make([]string, len(errs))
	for i, err := range errs {
		msgs[i] = err.Error()
	}
	sort.Strings(msgs)
	return strings.Join(msgs, ", ")
}

// joinCounts renders counts sorted by name, so the message (and the
// status write) only changes when the content does.
func joinCounts(counts map[string]int, format string) string {
	names := make([]string, 0, len(counts))
	for name := range counts {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = fmt.Sprintf(format, name, counts[name])
	}
	return strings.Join(parts, ", ")
}

// withConditions is ns's status with conds set and phase Terminating, and
// whether that differs from ns's. A condition whose status does not change
// keeps its lastTransitionTime.
func withConditions(ns *corev1.Namespace, conds []corev1.NamespaceCondition, now metav1.Time) (corev1.NamespaceStatus, bool) {
	status := *ns.Status.DeepCopy()
	changed := status.Phase != corev1.NamespaceTerminating
	status.Phase = corev1.NamespaceTerminating
	for _, cond := range conds {
		i := indexOf(status.Conditions, cond.Type)
		if i < 0 {
			cond.LastTransitionTime = now
			status.Conditions = append(status.Conditions, cond)
			changed = true
			continue
		}
		old := status.Conditions[i]
		if old.Status == cond.Status && old.Reason == cond.Reason && old.Message == cond.Message {
			continue
		}
		cond.LastTransitionTime = old.LastTransitionTime
		if old.Status != cond.Status {
			cond.LastTransitionTime = now
		}
		status.Conditions[i] = cond
		changed = true
	}
	return status, changed
}

func indexOf(conds []corev1.NamespaceCondition, kind corev1.NamespaceConditionType) int {
	for i, c := range conds {
		if c.Type == kind {
			return i
		}
	}
	return -1
}

// withoutFinalizer is finalizers without the one this controller owns.
func withoutFinalizer(finalizers []corev1.FinalizerName) []corev1.FinalizerName {
	var out []corev1.FinalizerName
	for _, f := range finalizers {
		if f != corev1.FinalizerKubernetes {
			out = append(out, f)
		}
	}
	return out
}

// ours tells whether ns waits on this controller.
func ours(ns *corev1.Namespace) bool {
	if ns.DeletionTimestamp == nil {
		return false
	}
	for _, f := range ns.Spec.Finalizers {
		if f == corev1.FinalizerKubernetes {
			return true
		}
	}
	return false
}

// requeueAfter is when to look again at content expected gone in
// estimate: halfway there plus a second, as upstream.
func requeueAfter(estimate time.Duration) time.Duration {
	return estimate/2 + time.Second
}
