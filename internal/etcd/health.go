package etcd

import (
	"context"
	"fmt"
	"time"
)

// healthKey is read by Health, as etcd's own /health endpoint does. It need
// not exist: a linearizable read of any key goes through Raft (a ReadIndex
// round), so success proves there is a leader and a quorum.
const healthKey = "health"

// healthTimeout applies when Health's ctx has no deadline of its own.
const healthTimeout = 2 * time.Second

// Health reports whether the member can serve a linearizable read and has no
// active alarm (NOSPACE puts etcd into read-only mode; CORRUPT means stop).
// It backs componentstatuses and the API server's /readyz etcd check.
func (s *Server) Health(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, healthTimeout)
		defer cancel()
	}
	if alarms := s.etcd.Server.Alarms(); len(alarms) > 0 {
		return fmt.Errorf("etcd: alarm %s raised on member %x", alarms[0].Alarm, alarms[0].MemberID)
	}
	if _, err := s.client.Get(ctx, healthKey); err != nil {
		return fmt.Errorf("etcd: health read failed: %w", err)
	}
	return nil
}

// Compact discards history before rev. Auto-compaction already does this
// every CompactionRetention; this is for callers that track revisions
// themselves. Compacting an already compacted revision returns
// rpctypes.ErrCompacted.
func (s *Server) Compact(ctx context.Context, rev int64) error {
	if _, err := s.client.Compact(ctx, rev); err != nil {
		return fmt.Errorf("etcd: compact to revision %d: %w", rev, err)
	}
	return nil
}
