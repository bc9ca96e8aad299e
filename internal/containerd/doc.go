// Package containerd runs the node's container runtime from inside the hanok
// binary.
//
// It owns four things:
//
//   - the runtime itself: Main runs containerd v2 (its builtins and the CRI
//     plugin) in this process for `hanok containerd`, and ShimMain is the
//     runc v2 shim, reached when hanok is executed as containerd-shim-runc-v2;
//   - its configuration: WriteConfig turns a datadir.Layout and the k3s-style
//     /etc/hanok/registries.yaml into config.toml and certs.d/<host>/hosts.toml;
//   - its lifecycle on a node: Supervise starts `hanok containerd` as a child,
//     restarts it with back-off when it dies, and stops it on shutdown without
//     touching the shims, so running pods outlive an agent restart;
//   - images and tools: ImportImages loads airgap tarballs into the "k8s.io"
//     namespace for CRI, CtrMain is containerd's ctr, CrictlMain a small crictl.
//
// Data flows one way: the agent calls WriteConfig and Supervise, then talks to
// the socket (layout.ContainerdSocket()) over CRI; nothing here reads the API.
package containerd
