package eviction

import (
	"fmt"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Thresholds are the hard eviction thresholds. A zero value means
// upstream's default; a negative one switches the threshold off.
type Thresholds struct {
	MemoryAvailable         resource.Quantity // memory.available, default 100Mi
	NodeFsAvailablePercent  int               // nodefs.available, default 10
	ImageFsAvailablePercent int               // imagefs.available, default 15
	NodeFsInodesFreePercent int               // nodefs.inodesFree, default 5
	// PIDAvailablePercent is pid.available; upstream sets no default, so
	// zero leaves it off too.
	PIDAvailablePercent int
}

// withDefaults fills the zero values with upstream's hard defaults.
func (t Thresholds) withDefaults() Thresholds {
	if t.MemoryAvailable.IsZero() {
		t.MemoryAvailable = resource.MustParse("100Mi")
	}
	if t.NodeFsAvailablePercent == 0 {
		t.NodeFsAvailablePercent = 10
	}
	if t.ImageFsAvailablePercent == 0 {
		t.ImageFsAvailablePercent = 15
	}
	if t.NodeFsInodesFreePercent == 0 {
		t.NodeFsInodesFreePercent = 5
	}
	return t
}

// Readings are one measurement of the node. A capacity of zero means
// "not measured": its thresholds are not evaluated.
type Readings struct {
	MemoryAvailable, MemoryCapacity   int64 // bytes
	NodeFsAvailable, NodeFsCapacity   int64 // bytes
	NodeFsInodesFree, NodeFsInodes    int64
	ImageFsAvailable, ImageFsCapacity int64 // bytes
	PIDsAvailable, PIDMax             int64
}

// Signal names a measured quantity, as upstream's eviction signals.
type Signal string

const (
	SignalMemoryAvailable  Signal = "memory.available"
	SignalNodeFsAvailable  Signal = "nodefs.available"
	SignalNodeFsInodesFree Signal = "nodefs.inodesFree"
	SignalImageFsAvailable Signal = "imagefs.available"
	SignalPIDAvailable     Signal = "pid.available"
)

// Resources reclaimed besides memory and ephemeral-storage, named as
// upstream's messages name them.
const (
	resourceInodes = v1.ResourceName("inodes")
	resourcePIDs   = v1.ResourceName("pids")
)

// The node conditions a signal raises.
const (
	memoryOrder = iota
	diskOrder
	pidOrder
)

// Met is a threshold crossed: the quantity it stands for and what is left.
type Met struct {
	Signal    Signal
	Resource  v1.ResourceName // what eviction reclaims: memory, ephemeral-storage, inodes, pids
	Threshold int64
	Available int64
}

// thresholdsMet lists the thresholds the readings cross, memory first
// (upstream evicts for memory before disk).
func thresholdsMet(t Thresholds, r Readings) []Met {
	var out []Met
	check := func(s Signal, res v1.ResourceName, threshold, available, capacity int64) {
		if capacity > 0 && threshold > 0 && available < threshold {
			out = append(out, Met{Signal: s, Resource: res, Threshold: threshold, Available: available})
		}
	}
	percent := func(capacity int64, p int) int64 {
		if p <= 0 {
			return 0
		}
		return capacity * int64(p) / 100
	}
	check(SignalMemoryAvailable, v1.ResourceMemory, t.MemoryAvailable.Value(), r.MemoryAvailable, r.MemoryCapacity)
	check(SignalNodeFsAvailable, v1.ResourceEphemeralStorage, percent(r.NodeFsCapacity, t.NodeFsAvailablePercent), r.NodeFsAvailable, r.NodeFsCapacity)
	check(SignalImageFsAvailable, v1.ResourceEphemeralStorage, percent(r.ImageFsCapacity, t.ImageFsAvailablePercent), r.ImageFsAvailable, r.ImageFsCapacity)
	check(SignalNodeFsInodesFree, resourceInodes, percent(r.NodeFsInodes, t.NodeFsInodesFreePercent), r.NodeFsInodesFree, r.NodeFsInodes)
	check(SignalPIDAvailable, resourcePIDs, percent(r.PIDMax, t.PIDAvailablePercent), r.PIDsAvailable, r.PIDMax)
	return out
}

// pressureOf maps a signal to the node condition it raises.
func pressureOf(s Signal) int {
	switch s {
	case SignalMemoryAvailable:
		return memoryOrder
	case SignalPIDAvailable:
		return pidOrder
	}
	return diskOrder
}

// quantity formats an amount of res the way upstream's messages do.
func quantity(res v1.ResourceName, v int64) string {
	switch res {
	case resourceInodes, resourcePIDs:
		return resource.NewQuantity(v, resource.DecimalSI).String()
	}
	return resource.NewQuantity(v, resource.BinarySI).String()
}

// String is the threshold part of an eviction message.
func (m Met) String() string {
	return fmt.Sprintf("Threshold quantity: %s, available: %s. ", quantity(m.Resource, m.Threshold), quantity(m.Resource, m.Available))
}
