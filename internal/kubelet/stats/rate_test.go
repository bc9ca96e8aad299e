package stats

import (
	"math"
	"testing"
)

func TestNanoCores(t *testing.T) {
	tests := []struct {
		name string
		a, b cpuSample
		want uint64
	}{
		{"half a core over 10s", cpuSample{at: 0, usage: 0}, cpuSample{at: 10e9, usage: 5e9}, 5e8},
		{"two cores over 1s", cpuSample{at: 1e9, usage: 1e9}, cpuSample{at: 2e9, usage: 3e9}, 2e9},
		{"large counters do not overflow", cpuSample{at: 0, usage: 1e12}, cpuSample{at: 100e9, usage: 1e12 + 400e9}, 4e9},
		{"no time passed", cpuSample{at: 5, usage: 1}, cpuSample{at: 5, usage: 2}, 0},
		{"counter went back", cpuSample{at: 0, usage: 10}, cpuSample{at: 1e9, usage: 5}, 0},
		{"absurd rate saturates", cpuSample{at: 0, usage: 0}, cpuSample{at: 1, usage: math.MaxUint64}, math.MaxUint64},
	}
	for _, tt := range tests {
		if got := nanoCores(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: nanoCores = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestRateTracker(t *testing.T) {
	r := newRateTracker(2e9)
	steps := []struct {
		s      cpuSample
		want   uint64
		wantOK bool
	}{
		{cpuSample{at: 0, usage: 0}, 0, false},             // first sight
		{cpuSample{at: 1e9, usage: 1e9}, 0, false},         // window too short, no rate yet
		{cpuSample{at: 10e9, usage: 5e9}, 5e8, true},       // 5s of CPU in 10s
		{cpuSample{at: 11e9, usage: 6e9}, 5e8, true},       // too soon: last rate repeated
		{cpuSample{at: 20e9, usage: 15e9}, 1e9, true},      // 10s in 10s
		{cpuSample{at: 30e9, usage: 1e9}, 0, false},        // counter restarted
		{cpuSample{at: 40e9, usage: 1e9 + 2e9}, 2e8, true}, // from the restart
	}
	for i, st := range steps {
		got, ok := r.observe("c1", st.s)
		if got != st.want || ok != st.wantOK {
			t.Errorf("step %d: observe = %d, %v; want %d, %v", i, got, ok, st.want, st.wantOK)
		}
	}
	r.sweep() // c1 seen since the last sweep: kept
	if _, ok := r.prev["c1"]; !ok {
		t.Fatal("sweep dropped a key seen since the last sweep")
	}
	r.sweep() // not seen since: dropped
	if _, ok := r.prev["c1"]; ok {
		t.Fatal("sweep kept a key not seen since the last sweep")
	}
}
