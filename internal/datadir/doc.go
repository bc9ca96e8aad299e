// Package datadir says where a node keeps each thing it owns.
//
// Everything a node writes lives under its --data-dir, or under a run
// directory derived from it, so several hanok processes on one host (the
// multi-node tests run them side by side) never share a socket, a state
// folder or a cgroup. Components take a Layout instead of building paths, so
// the map lives in one place.
package datadir
