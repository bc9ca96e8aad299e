package framework

import (
	"fmt"
	"sort"
	"strings"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
)

// Diagnosis records why a pod fit no node.
type Diagnosis struct {
	// NodeToStatus is each rejected node's status.
	NodeToStatus map[string]*Status
	// PreFilterMsg is set when a PreFilter rejected the pod outright.
	PreFilterMsg string
	// PostFilterMsg is preemption's account, when it ran.
	PostFilterMsg string
	// UnschedulablePlugins are the plugins that rejected the pod: the
	// queue moves it only on events those plugins care about.
	UnschedulablePlugins sets.Set[string]
}

// FitError is a pod that fit none of NumAllNodes nodes.
type FitError struct {
	Pod         *v1.Pod
	NumAllNodes int
	Diagnosis   Diagnosis
}

// Error is upstream's summary, word for word: "0/3 nodes are available:
// 1 Insufficient cpu, 2 node(s) had untolerated taint {k: v}." — a
// histogram of reasons over nodes, sorted as strings — then preemption's
// account if it ran ("preemption: 0/3 nodes are available: ...").
func (f *FitError) Error() string {
	msg := fmt.Sprintf("0/%v nodes are available:", f.NumAllNodes)
	if f.Diagnosis.PreFilterMsg != "" {
		msg += " " + f.Diagnosis.PreFilterMsg + "."
	} else {
		histogram := map[string]int{}
		for _, st := range f.Diagnosis.NodeToStatus {
			for _, r := range st.Reasons() {
				histogram[r]++
			}
		}
		var parts []string
		for r, n := range histogram {
			parts = append(parts, fmt.Sprintf("%v %v", n, r))
		}
		sort.Strings(parts)
		if len(parts) > 0 {
			msg += " " + strings.Join(parts, ", ") + "."
		}
	}
	if f.Diagnosis.PostFilterMsg != "" {
		msg += " " + f.Diagnosis.PostFilterMsg
	}
	return msg
}
