package prober

import (
	"context"
	"strings"
	"sync"
	"time"
)

// fakeRuntime answers ExecSync per command (the command's first word) and
// records the calls.
type fakeRuntime struct {
	mu    sync.Mutex
	exits map[string]int32 // first word -> exit code
	err   map[string]error
	out   map[string]string
	calls []fakeCall
}

type fakeCall struct {
	containerID string
	cmd         string
	timeout     time.Duration
	at          time.Time
}

func newFakeRuntime() *fakeRuntime {
	return &fakeRuntime{exits: map[string]int32{}, err: map[string]error{}, out: map[string]string{}}
}

func (f *fakeRuntime) ExecSync(ctx context.Context, id string, cmd []string, timeout time.Duration) ([]byte, []byte, int32, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fakeCall{containerID: id, cmd: strings.Join(cmd, " "), timeout: timeout, at: time.Now()})
	return []byte(f.out[cmd[0]]), nil, f.exits[cmd[0]], f.err[cmd[0]]
}

func (f *fakeRuntime) set(word string, exit int32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.exits[word] = exit
}

// callsOf are the recorded calls of one command word.
func (f *fakeRuntime) callsOf(word string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if strings.Fields(c.cmd)[0] == word {
			out = append(out, c)
		}
	}
	return out
}
