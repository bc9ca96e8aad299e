package volumebinding

import (
	"sync"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/record"
)

// onceEvents remembers the last event recorded per object, so a claim
// synced again and again while it waits (every volume change wakes every
// pending claim) reports its state once, not once per sync. A restart
// reports it once more, which is fine.
type onceEvents struct {
	mu   sync.Mutex
	last map[string]string
}

// record records the event unless it is what key last recorded.
func (o *onceEvents) record(r record.EventRecorder, key string, obj runtime.Object, typ, reason, message string) {
	o.mu.Lock()
	seen := o.last[key] == reason+"\x00"+message
	o.last[key] = reason + "\x00" + message
	o.mu.Unlock()
	if !seen && r != nil {
		r.Event(obj, typ, reason, message)
	}
}

// forget drops key's memory (the object is gone or its state moved on).
func (o *onceEvents) forget(key string) {
	o.mu.Lock()
	delete(o.last, key)
	o.mu.Unlock()
}
