package nodelifecycle

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
)

// evictionTime is when a pod with tolerations must leave a node with the
// NoExecute taints: now for a taint it does not tolerate; otherwise, for
// each taint, its timeAdded (now if unset) plus the shortest
// tolerationSeconds among the tolerations that tolerate it, the earliest
// over taints. never is true when every taint is tolerated for ever.
func evictionTime(taints []corev1.Taint, tolerations []corev1.Toleration, now time.Time) (at time.Time, never bool) {
	never = true
	for i := range taints {
		taint := &taints[i]
		tolerated := false
		var shortest *int64
		for j := range tolerations {
			tol := &tolerations[j]
			if !tol.ToleratesTaint(klog.Background(), taint, false) {
				continue
			}
			tolerated = true
			if s := tol.TolerationSeconds; s != nil && (shortest == nil || *s < *shortest) {
				shortest = s
			}
		}
		if !tolerated {
			return now, false
		}
		if shortest == nil {
			continue
		}
		start := now
		if taint.TimeAdded != nil {
			start = taint.TimeAdded.Time
		}
		seconds := max(*shortest, 0) // negative means at once, as upstream
		t := start.Add(time.Duration(seconds) * time.Second)
		if never || t.Before(at) {
			at, never = t, false
		}
	}
	return at, never
}
