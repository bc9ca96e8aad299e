package etcd

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Raft timing. A lone member still waits out a random part of its election
// timeout before it elects itself: etcd fast-forwards all but one tick, and
// raft then waits 1..electionTicks more. With etcd's 100ms/1s defaults that
// is 100ms-1s on every restart. A lone member has no one to lose contact
// with, so it uses short timings and is ready in 20-100ms. As soon as there
// are peers, etcd's defaults apply: a short election timeout would turn a
// slow fsync on a busy node into a leader election.
type raftTiming struct {
	heartbeat, election time.Duration
}

var (
	singleMemberTiming = raftTiming{heartbeat: 20 * time.Millisecond, election: 100 * time.Millisecond}
	clusterTiming      = raftTiming{heartbeat: 100 * time.Millisecond, election: time.Second}
)

// timing picks the Raft timing: explicit settings win; otherwise a member
// known to be alone gets singleMemberTiming.
func (c Config) timing() raftTiming {
	if c.HeartbeatInterval > 0 && c.ElectionTimeout > 0 {
		return raftTiming{c.HeartbeatInterval, c.ElectionTimeout}
	}
	if c.memberCount() == 1 {
		return singleMemberTiming
	}
	return clusterTiming
}

// memberCount estimates the cluster size before etcd starts: from the
// membership stored in an existing data dir, else from InitialCluster. It
// returns 0 when it cannot tell, which selects the safe clusterTiming.
func (c Config) memberCount() int {
	if _, err := os.Stat(filepath.Join(c.DataDir, "member", "wal")); err == nil {
		return storedMemberCount(filepath.Join(c.DataDir, "member", "snap", "db"))
	}
	if c.ClusterState == "existing" {
		return 0 // joining: there are others by definition
	}
	if c.InitialCluster == "" {
		return 1
	}
	return len(strings.Split(c.InitialCluster, ","))
}

// storedMemberCount counts the entries of etcd's "members" bucket (voters
// and learners) in its backend file, opened read-only for a moment. This
// reads etcd's storage layout; if that ever changes, the answer is 0 and
// only startup speed is affected. A membership change that was in the WAL
// but not yet in the backend at a crash is missed the same harmless way.
func storedMemberCount(dbPath string) int {
	db, err := bolt.Open(dbPath, 0o600, &bolt.Options{ReadOnly: true, Timeout: 50 * time.Millisecond})
	if err != nil {
		return 0 // e.g. locked by a running etcd: Start will fail on its ports anyway
	}
	defer db.Close()
	n := 0
	db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket([]byte("members")); b != nil {
			n = b.Stats().KeyN
		}
		return nil
	})
	return n
}
