package defaultpreemption

import (
	"context"
	"fmt"
	"sort"
	"time"

	v1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
)

// Upstream's messages.
const (
	MsgNotHelpful = "Preemption is not helpful for scheduling"
	MsgNoVictims  = "No preemption victims found for incoming pod"
)

// Filterer runs a profile's PreFilter and Filter for a pod on one node of
// a snapshot.
type Filterer interface {
	RunPreFilter(ctx context.Context, state *framework.CycleState, pod *v1.Pod) *framework.Status
	RunFilter(ctx context.Context, state *framework.CycleState, pod *v1.Pod, node *framework.NodeInfo) *framework.Status
}

// Candidate is a node and the pods to evict there.
type Candidate struct {
	Node          string
	Victims       []*v1.Pod
	PDBViolations int
}

// Result is preemption's decision: a candidate, or why there is none
// (Message, upstream's "preemption: ..." account).
type Result struct {
	Candidate *Candidate
	Message   string
}

// Eligible says whether pod may preempt at all, and if not, why.
func Eligible(pod *v1.Pod, snap *framework.Snapshot) (bool, string) {
	if pod.Spec.PreemptionPolicy != nil && *pod.Spec.PreemptionPolicy == v1.PreemptNever {
		return false, "not eligible due to preemptionPolicy=Never."
	}
	if nom := pod.Status.NominatedNodeName; nom != "" {
		if n := snap.Get(nom); n != nil {
			prio := corev1helpers.PodPriority(pod)
			for _, p := range n.Pods {
				if p.Pod.DeletionTimestamp != nil && corev1helpers.PodPriority(p.Pod) < prio {
					return false, "not eligible due to a terminating pod on the nominated node."
				}
			}
		}
	}
	return true, ""
}

// Preempt decides preemption for pod, which fit no node with the given
// statuses.
func Preempt(ctx context.Context, f Filterer, snap *framework.Snapshot, pod *v1.Pod, statuses map[string]*framework.Status, pdbs []*policyv1.PodDisruptionBudget) Result {
	if ok, msg := Eligible(pod, snap); !ok {
		return Result{Message: "preemption: " + msg}
	}
	after := map[string]*framework.Status{}
	var candidates []Candidate
	for i, n := range snap.Nodes {
		st := statuses[n.Name()]
		if st.Code() != framework.Unschedulable {
			after[n.Name()] = framework.NewStatus(framework.UnschedulableAndUnresolvable, MsgNotHelpful)
			continue
		}
		victims, violations, vst := selectVictims(ctx, f, snap, i, pod, pdbs)
		if !vst.IsSuccess() {
			after[n.Name()] = vst
			continue
		}
		candidates = append(candidates, Candidate{Node: n.Name(), Victims: victims, PDBViolations: violations})
	}
	if len(candidates) == 0 {
		fe := &framework.FitError{Pod: pod, NumAllNodes: len(snap.Nodes), Diagnosis: framework.Diagnosis{NodeToStatus: after}}
		return Result{Message: "preemption: " + fe.Error()}
	}
	best := pick(candidates)
	return Result{Candidate: &best}
}

// selectVictims finds the fewest lower-priority pods to evict from node i
// so that pod fits: remove them all, check the pod fits, then add them
// back one by one, most important first, keeping each that still lets the
// pod fit. PDB-protected pods are tried first, so they are kept when
// possible.
func selectVictims(ctx context.Context, f Filterer, snap *framework.Snapshot, i int, pod *v1.Pod, pdbs []*policyv1.PodDisruptionBudget) ([]*v1.Pod, int, *framework.Status) {
	node := snap.Nodes[i].Clone()
	prio := corev1helpers.PodPriority(pod)
	var potential []*framework.PodInfo
	for _, p := range snap.Nodes[i].Pods {
		if corev1helpers.PodPriority(p.Pod) < prio {
			potential = append(potential, p)
			node.RemovePod(string(p.Pod.UID))
		}
	}
	if len(potential) == 0 {
		return nil, 0, framework.NewStatus(framework.UnschedulableAndUnresolvable, MsgNoVictims)
	}
	fits := func() *framework.Status {
		nodes := append([]*framework.NodeInfo(nil), snap.Nodes...)
		nodes[i] = node
		s := framework.NewSnapshot(nodes)
		s.NamespaceLabels = snap.NamespaceLabels
		state := framework.NewCycleState(s)
		if st := f.RunPreFilter(ctx, state, pod); !st.IsSuccess() {
			return st
		}
		return f.RunFilter(ctx, state, pod, node)
	}
	if st := fits(); !st.IsSuccess() {
		return nil, 0, st
	}
	sort.SliceStable(potential, func(a, b int) bool { return moreImportant(potential[a].Pod, potential[b].Pod) })
	violating, other := splitByPDB(potential, pdbs)
	var victims []*v1.Pod
	violations := 0
	reprieve := func(p *framework.PodInfo) bool {
		node.AddPod(p)
		if fits().IsSuccess() {
			return true
		}
		node.RemovePod(string(p.Pod.UID))
		victims = append(victims, p.Pod)
		return false
	}
	for _, p := range violating {
		if !reprieve(p) {
			violations++
		}
	}
	for _, p := range other {
		reprieve(p)
	}
	sort.SliceStable(victims, func(a, b int) bool { return moreImportant(victims[a], victims[b]) })
	if len(victims) == 0 {
		return nil, 0, framework.AsStatus(fmt.Errorf("expected at least one victim pod on node %q", node.Name()))
	}
	return victims, violations, nil
}

// moreImportant: higher priority, then started earlier.
func moreImportant(a, b *v1.Pod) bool {
	pa, pb := corev1helpers.PodPriority(a), corev1helpers.PodPriority(b)
	if pa != pb {
		return pa > pb
	}
	return startTime(a).Before(startTime(b))
}

func startTime(p *v1.Pod) time.Time {
	if p.Status.StartTime != nil {
		return p.Status.StartTime.Time
	}
	return p.CreationTimestamp.Time
}

// splitByPDB separates the pods whose eviction would take a budget below
// zero, counting each eviction against the budgets in order.
func splitByPDB(pods []*framework.PodInfo, pdbs []*policyv1.PodDisruptionBudget) (violating, other []*framework.PodInfo) {
	allowed := make([]int32, len(pdbs))
	for i, pdb := range pdbs {
		allowed[i] = pdb.Status.DisruptionsAllowed
	}
	for _, p := range pods {
		violated := false
		if len(p.Pod.Labels) > 0 {
			for i, pdb := range pdbs {
				if pdb.Namespace != p.Pod.Namespace {
					continue
				}
				sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
				if err != nil || sel.Empty() || !sel.Matches(labels.Set(p.Pod.Labels)) {
					continue
				}
				if _, disrupted := pdb.Status.DisruptedPods[p.Pod.Name]; disrupted {
					continue
				}
				allowed[i]--
				if allowed[i] < 0 {
					violated = true
				}
			}
		}
		if violated {
			violating = append(violating, p)
		} else {
			other = append(other, p)
		}
	}
	return violating, other
}

// pick chooses among candidates by upstream's criteria, in order.
func pick(cs []Candidate) Candidate {
	type key struct {
		violations   int
		topPriority  int32
		prioritySum  int64
		victims      int
		earliestHigh time.Time
	}
	keyOf := func(c Candidate) key {
		k := key{violations: c.PDBViolations, victims: len(c.Victims), topPriority: corev1helpers.PodPriority(c.Victims[0])}
		for _, v := range c.Victims {
			// Shift so that negative priorities still add up as lower.
			k.prioritySum += int64(corev1helpers.PodPriority(v)) + (1 << 31)
		}
		k.earliestHigh = startTime(c.Victims[0])
		for _, v := range c.Victims {
			if corev1helpers.PodPriority(v) == k.topPriority && startTime(v).Before(k.earliestHigh) {
				k.earliestHigh = startTime(v)
			}
		}
		return k
	}
	better := func(a, b key) bool {
		switch {
		case a.violations != b.violations:
			return a.violations < b.violations
		case a.topPriority != b.topPriority:
			return a.topPriority < b.topPriority
		case a.prioritySum != b.prioritySum:
			return a.prioritySum < b.prioritySum
		case a.victims != b.victims:
			return a.victims < b.victims
		default:
			return a.earliestHigh.After(b.earliestHigh)
		}
	}
	best, bestKey := cs[0], keyOf(cs[0])
	for _, c := range cs[1:] {
		if k := keyOf(c); better(k, bestKey) {
			best, bestKey = c, k
		}
	}
	return best
}
