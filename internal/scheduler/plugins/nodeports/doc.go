// Package nodeports is the NodePorts filter: a pod's host ports must be
// free on the node (same protocol and port on the same IP, or where
// either side binds 0.0.0.0, is a clash).
package nodeports
