package framework

// StateKey names one plugin's entry in a CycleState.
type StateKey string

// CycleState carries data through one pod's scheduling cycle: the
// snapshot it runs on and what plugins computed in PreFilter/PreScore.
// Writes happen in the sequential steps (PreFilter, PreScore); the
// concurrent ones (Filter, Score) only read, so no lock is needed.
type CycleState struct {
	Snapshot *Snapshot
	data     map[StateKey]any
}

// NewCycleState starts a cycle on snapshot.
func NewCycleState(snapshot *Snapshot) *CycleState {
	return &CycleState{Snapshot: snapshot, data: map[StateKey]any{}}
}

// Write stores v under key (sequential steps only).
func (c *CycleState) Write(key StateKey, v any) { c.data[key] = v }

// Read returns key's value, or nil.
func (c *CycleState) Read(key StateKey) any { return c.data[key] }
