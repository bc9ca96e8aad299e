// Package schedtest builds pods, nodes and NodeInfos for the scheduler's
// table-driven tests, so each test states only what matters to it.
package schedtest
