// Package etcd owns hanok's embedded etcd member: its configuration, start,
// readiness, health and shutdown, and the one shared client the rest of the
// server uses to reach it.
//
// Why etcd: the cluster's complete state (the full JSON of every stored
// object) lives in one key/value store that uses the Raft consensus
// algorithm. A write is acknowledged only once a majority of members has it
// in its log, so every reader sees one agreed history. Because a majority
// must exist, members come in odd numbers: 1 tolerates no failure, 3
// tolerate one, 5 tolerate two; a fourth member adds load without adding
// tolerance (3 of 4 is still needed), and two members are worse than one,
// since losing either stops all writes.
//
// Today hanok runs a single member in-process (embed), on
// <data-dir>/server/db/etcd: a one-member Raft group elects itself at once
// and commits as soon as its own WAL is synced. High availability comes
// later without changing this package's shape: a joining server asks an
// existing member for MemberAddAsLearner (a learner receives the log but
// does not vote, so a slow new member cannot cost the cluster its quorum),
// starts with ClusterState "existing" and the InitialCluster it was given,
// and is promoted to a voter once caught up.
//
// Data flow: Start turns Config into an embed.Config (TLS from the pki
// package's etcd/ files, etcd's zap logs bridged to logrus at error level,
// quota, compaction and Raft timing set for a small node), starts the
// member, waits for ReadyNotify, then dials one TLS client over the
// loopback client URL with the etcd client cert. The API server's storage
// layer uses that client exactly as it would use a remote etcd; nothing
// reaches into the etcd server's internals except Health's alarm check and,
// before start, a read-only look at the stored membership (timing.go). Stop closes the client, then the member, which
// flushes and closes the WAL and backend, so no acknowledged write is lost.
package etcd
