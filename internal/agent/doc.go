// Package agent runs a node: it unpacks the binaries shipped inside hanok,
// starts the bundled containerd as a supervised child, imports the pause
// image and any airgap images, writes the CNI config once the node has a
// pod CIDR, and runs the kubelet and its HTTPS server.
//
// The agent is the same code whether `hanok server` embeds it or `hanok
// agent` runs it on another machine: what differs is only where its
// Credentials come from (the server's PKI in-process, or the join flow).
// Like every component it talks to the control plane only through the API,
// as system:node:<name>.
package agent
