package eviction

import (
	"fmt"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
)

const (
	mi = int64(1 << 20)
	gi = int64(1 << 30)
)

func TestThresholdsMet(t *testing.T) {
	healthy := Readings{
		MemoryAvailable: 2 * gi, MemoryCapacity: 8 * gi,
		NodeFsAvailable: 50 * gi, NodeFsCapacity: 100 * gi,
		NodeFsInodesFree: 900, NodeFsInodes: 1000,
		ImageFsAvailable: 50 * gi, ImageFsCapacity: 100 * gi,
		PIDsAvailable: 30000, PIDMax: 32768,
	}
	with := func(f func(*Readings)) Readings { r := healthy; f(&r); return r }
	for _, tc := range []struct {
		name string
		t    Thresholds
		r    Readings
		want string
	}{
		{"healthy", Thresholds{}, healthy, "[]"},
		{"memory low", Thresholds{}, with(func(r *Readings) { r.MemoryAvailable = 50 * mi }),
			"[memory.available memory 100Mi 50Mi]"},
		{"memory exactly at threshold is fine", Thresholds{}, with(func(r *Readings) { r.MemoryAvailable = 100 * mi }), "[]"},
		{"custom memory threshold", Thresholds{MemoryAvailable: resource.MustParse("1Gi")}, with(func(r *Readings) { r.MemoryAvailable = 512 * mi }),
			"[memory.available memory 1Gi 512Mi]"},
		{"memory unmeasured", Thresholds{}, with(func(r *Readings) { r.MemoryAvailable, r.MemoryCapacity = 0, 0 }), "[]"},
		{"nodefs under 10%", Thresholds{}, with(func(r *Readings) { r.NodeFsAvailable = 9 * gi }),
			"[nodefs.available ephemeral-storage 10Gi 9Gi]"},
		{"imagefs under 15%", Thresholds{}, with(func(r *Readings) { r.ImageFsAvailable = 14 * gi }),
			"[imagefs.available ephemeral-storage 15Gi 14Gi]"},
		{"imagefs threshold off", Thresholds{ImageFsAvailablePercent: -1}, with(func(r *Readings) { r.ImageFsAvailable = 1 }), "[]"},
		{"inodes under 5%", Thresholds{}, with(func(r *Readings) { r.NodeFsInodesFree = 49 }),
			"[nodefs.inodesFree inodes 50 49]"},
		{"pids: off by default as upstream", Thresholds{}, with(func(r *Readings) { r.PIDsAvailable = 1 }), "[]"},
		{"pids under 10%", Thresholds{PIDAvailablePercent: 10}, with(func(r *Readings) { r.PIDsAvailable = 100 }),
			"[pid.available pids 3276 100]"},
		{"memory listed before disk", Thresholds{}, with(func(r *Readings) { r.NodeFsAvailable = 1; r.MemoryAvailable = 1 }),
			"[memory.available memory 100Mi 1 nodefs.available ephemeral-storage 10Gi 1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, m := range thresholdsMet(tc.t.withDefaults(), tc.r) {
				got = append(got, fmt.Sprint(m.Signal, " ", m.Resource, " ", quantity(m.Resource, m.Threshold), " ", quantity(m.Resource, m.Available)))
			}
			if s := fmt.Sprint(got); s != tc.want {
				t.Errorf("met = %s, want %s", s, tc.want)
			}
		})
	}
}
