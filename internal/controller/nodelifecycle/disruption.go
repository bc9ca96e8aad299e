package nodelifecycle

import (
	corev1 "k8s.io/api/core/v1"
)

// A zone's disruption state, as upstream: it sets how fast nodes of the
// zone may be given NoExecute taints, so that losing a whole zone (or the
// control plane's view of every node) does not evict everything at once.
type zoneState string

const (
	stateNormal            zoneState = "Normal"
	statePartialDisruption zoneState = "PartialDisruption"
	stateFullDisruption    zoneState = "FullDisruption"
)

// zoneKey is the zone a node is in: its region and zone labels ("" for
// neither), as upstream's GetZoneKey.
func zoneKey(node *corev1.Node) string {
	region, zone := node.Labels[corev1.LabelTopologyRegion], node.Labels[corev1.LabelTopologyZone]
	if region == "" && zone == "" {
		return ""
	}
	return region + ":\x00:" + zone
}

// computeZoneState is the state of a zone with ready and notReady nodes.
func computeZoneState(ready, notReady int, unhealthyThreshold float64) zoneState {
	switch {
	case ready == 0 && notReady > 0:
		return stateFullDisruption
	case notReady > 2 && float64(notReady)/float64(notReady+ready) >= unhealthyThreshold:
		return statePartialDisruption
	default:
		return stateNormal
	}
}

// zoneStates are the states of every zone of nodes.
func zoneStates(nodes []*corev1.Node, unhealthyThreshold float64) (states map[string]zoneState, sizes map[string]int) {
	ready, notReady := map[string]int{}, map[string]int{}
	for _, n := range nodes {
		z := zoneKey(n)
		if readyStatus(n) == corev1.ConditionTrue {
			ready[z]++
		} else {
			notReady[z]++
		}
	}
	states, sizes = map[string]zoneState{}, map[string]int{}
	for _, m := range []map[string]int{ready, notReady} {
		for z := range m {
			states[z] = computeZoneState(ready[z], notReady[z], unhealthyThreshold)
			sizes[z] = ready[z] + notReady[z]
		}
	}
	return states, sizes
}

// allFullyDisrupted is upstream's "master disruption mode": every zone
// has no ready node. Then the fault is far more likely this side (the
// control plane cut off) than on every node at once, so no node is
// tainted NoExecute and the taints there are removed.
func allFullyDisrupted(states map[string]zoneState) bool {
	if len(states) == 0 {
		return false
	}
	for _, s := range states {
		if s != stateFullDisruption {
			return false
		}
	}
	return true
}

// evictionRate is how many nodes per second of a zone may be newly
// tainted NoExecute.
func evictionRate(state zoneState, zoneSize int, o Options) float64 {
	if state == statePartialDisruption {
		if zoneSize > o.LargeClusterThreshold {
			return o.SecondaryEvictionRate
		}
		return 0
	}
	return o.EvictionRate
}

// noExecuteMode says what may happen to a node's managed NoExecute taints.
type noExecuteMode int

const (
	addNoExecute    noExecuteMode = iota // as the conditions say
	keepNoExecute                        // no new one (rate limited); a swap of one for another is fine
	removeNoExecute                      // none at all (every zone disrupted)
)

func isManagedNoExecute(t corev1.Taint) bool {
	return t.Effect == corev1.TaintEffectNoExecute && managed(t)
}

// limitNoExecute narrows desired (from desiredTaints) by mode, given the
// node's current taints.
func limitNoExecute(current, desired []corev1.Taint, mode noExecuteMode) []corev1.Taint {
	hadOne := false
	for _, t := range current {
		if isManagedNoExecute(t) {
			hadOne = true
		}
	}
	if mode == addNoExecute || (mode == keepNoExecute && hadOne) {
		return desired
	}
	var out []corev1.Taint
	for _, t := range desired {
		if isManagedNoExecute(t) {
			continue
		}
		out = append(out, t)
	}
	return out
}

// addsNoExecute tells whether desired taints a node NoExecute that has no
// managed NoExecute taint now: what the rate limit counts.
func addsNoExecute(current, desired []corev1.Taint) bool {
	for _, t := range current {
		if isManagedNoExecute(t) {
			return false
		}
	}
	for _, t := range desired {
		if isManagedNoExecute(t) {
			return true
		}
	}
	return false
}
