package framework

import "testing"

func TestFitErrorMessage(t *testing.T) {
	cpu := NewStatus(Unschedulable, "Insufficient cpu")
	taint := NewStatus(UnschedulableAndUnresolvable, "node(s) had untolerated taint {dedicated: gpu}")
	both := NewStatus(Unschedulable, "Insufficient cpu", "Insufficient memory")
	tests := []struct {
		name string
		diag Diagnosis
		all  int
		want string
	}{
		{"histogram sorted as strings", Diagnosis{NodeToStatus: map[string]*Status{"a": cpu, "b": taint, "c": taint}}, 3,
			"0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {dedicated: gpu}."},
		{"every reason of a node counts", Diagnosis{NodeToStatus: map[string]*Status{"a": both, "b": cpu}}, 2,
			"0/2 nodes are available: 1 Insufficient memory, 2 Insufficient cpu."},
		{"prefilter message once", Diagnosis{NodeToStatus: map[string]*Status{"a": cpu}, PreFilterMsg: `persistentvolumeclaim "x" not found`}, 1,
			`0/1 nodes are available: persistentvolumeclaim "x" not found.`},
		{"preemption appended", Diagnosis{NodeToStatus: map[string]*Status{"a": cpu},
			PostFilterMsg: "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."}, 1,
			"0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (&FitError{NumAllNodes: tt.all, Diagnosis: tt.diag}).Error(); got != tt.want {
				t.Fatalf("\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

func TestDefaultNormalizeScore(t *testing.T) {
	s := []NodeScore{{"a", 0}, {"b", 2}, {"c", 4}}
	DefaultNormalizeScore(100, false, s)
	if s[0].Score != 0 || s[1].Score != 50 || s[2].Score != 100 {
		t.Fatalf("%v", s)
	}
	s = []NodeScore{{"a", 0}, {"b", 2}, {"c", 4}}
	DefaultNormalizeScore(100, true, s)
	if s[0].Score != 100 || s[1].Score != 50 || s[2].Score != 0 {
		t.Fatalf("reverse %v", s)
	}
	s = []NodeScore{{"a", 0}, {"b", 0}}
	DefaultNormalizeScore(100, true, s)
	if s[0].Score != 100 || s[1].Score != 100 {
		t.Fatalf("all zero reversed %v", s)
	}
}
