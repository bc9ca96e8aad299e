package main

import (
	"fmt"
	"sort"
	"time"

	"github.com/hanok-dev/hanok/test/bench/hanokproc"
)

// measureRestarts restarts hanok n times on its data dir and prints the
// median start to /readyz.
func measureRestarts(h *hanokproc.Process, n int) error {
	var times []time.Duration
	for i := 0; i < n; i++ {
		d, err := h.Restart()
		if err != nil {
			return err
		}
		times = append(times, d)
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	if n > 0 {
		fmt.Printf("start to /readyz (existing data dir, median of %d): %v (min %v, max %v)\n", n,
			times[n/2].Round(time.Millisecond), times[0].Round(time.Millisecond), times[n-1].Round(time.Millisecond))
	}
	return nil
}
