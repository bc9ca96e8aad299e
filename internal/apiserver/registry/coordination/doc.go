// Package coordination describes coordination.k8s.io/v1 leases for the
// generic REST handler: validation and the HOLDER table column. Leases back
// leader election and node heartbeats, so they are written often and carry
// no defaults.
package coordination
