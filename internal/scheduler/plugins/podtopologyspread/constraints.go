package podtopologyspread

import (
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
	"k8s.io/klog/v2"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
)

// constraint is a parsed TopologySpreadConstraint.
type constraint struct {
	maxSkew       int32
	key           string
	selector      labels.Selector
	minDomains    int32
	honorAffinity bool
	honorTaints   bool
}

// systemDefaults are upstream's default constraints for pods without any.
var systemDefaults = []v1.TopologySpreadConstraint{
	{MaxSkew: 3, TopologyKey: v1.LabelHostname, WhenUnsatisfiable: v1.ScheduleAnyway},
	{MaxSkew: 5, TopologyKey: v1.LabelTopologyZone, WhenUnsatisfiable: v1.ScheduleAnyway},
}

// constraintsFor parses pod's constraints with the given action; with
// none at all, the system defaults over defaultSelector (if it selects
// anything). defaulted reports the latter.
func constraintsFor(pod *v1.Pod, action v1.UnsatisfiableConstraintAction, defaultSelector func(*v1.Pod) labels.Selector) (out []constraint, defaulted bool, err error) {
	if len(pod.Spec.TopologySpreadConstraints) == 0 {
		if action != v1.ScheduleAnyway || defaultSelector == nil {
			return nil, false, nil
		}
		sel := defaultSelector(pod)
		if sel == nil || sel.Empty() {
			return nil, false, nil
		}
		for _, c := range systemDefaults {
			out = append(out, constraint{maxSkew: c.MaxSkew, key: c.TopologyKey, selector: sel, honorAffinity: true})
		}
		return out, true, nil
	}
	for _, c := range pod.Spec.TopologySpreadConstraints {
		if c.WhenUnsatisfiable != action {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(c.LabelSelector)
		if err != nil {
			return nil, false, err
		}
		// matchLabelKeys: the pod's own values for those keys narrow the
		// selector (the API server may have merged them already; adding
		// them again changes nothing).
		for _, k := range c.MatchLabelKeys {
			if v, ok := pod.Labels[k]; ok {
				r, err := labels.NewRequirement(k, selection.In, []string{v})
				if err != nil {
					return nil, false, err
				}
				sel = sel.Add(*r)
			}
		}
		pc := constraint{maxSkew: c.MaxSkew, key: c.TopologyKey, selector: sel, minDomains: 1,
			honorAffinity: c.NodeAffinityPolicy == nil || *c.NodeAffinityPolicy == v1.NodeInclusionPolicyHonor,
			honorTaints:   c.NodeTaintsPolicy != nil && *c.NodeTaintsPolicy == v1.NodeInclusionPolicyHonor}
		if c.MinDomains != nil {
			pc.minDomains = *c.MinDomains
		}
		out = append(out, pc)
	}
	return out, false, nil
}

// hasAllKeys: the node carries every constraint's topology key.
func hasAllKeys(node *v1.Node, cs []constraint) bool {
	for _, c := range cs {
		if _, ok := node.Labels[c.key]; !ok {
			return false
		}
	}
	return true
}

// eligible: the node counts for c under its inclusion policies.
func (c *constraint) eligible(node *v1.Node, pod *v1.Pod, affinity *nodeaffinity.RequiredNodeAffinity) bool {
	if c.honorAffinity {
		if ok, _ := affinity.Match(node); !ok {
			return false
		}
	}
	if c.honorTaints {
		_, untolerated := corev1helpers.FindMatchingUntoleratedTaint(klog.Background(), node.Spec.Taints, pod.Spec.Tolerations, func(t *v1.Taint) bool {
			return t.Effect == v1.TaintEffectNoSchedule || t.Effect == v1.TaintEffectNoExecute
		}, false)
		if untolerated {
			return false
		}
	}
	return true
}

// countMatching counts the node's live pods in ns that c selects.
func countMatching(node *framework.NodeInfo, ns string, sel labels.Selector) int64 {
	var n int64
	for _, p := range node.Pods {
		if p.Pod.Namespace == ns && p.Pod.DeletionTimestamp == nil && sel.Matches(labels.Set(p.Pod.Labels)) {
			n++
		}
	}
	return n
}
