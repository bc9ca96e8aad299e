package datadir

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
)

// Default is the data dir when --data-dir is not given.
const Default = "/var/lib/hanok"

// runRoot holds sockets and runtime state, which belong on tmpfs.
const runRoot = "/run/hanok"

// Layout is the set of paths a node uses, all derived from its data dir.
type Layout struct {
	DataDir string
}

// New returns the layout for a data dir; an empty one means Default.
func New(dataDir string) Layout {
	if dataDir == "" {
		dataDir = Default
	}
	abs, err := filepath.Abs(dataDir)
	if err == nil {
		dataDir = abs
	}
	return Layout{DataDir: dataDir}
}

// RunDir is /run/hanok for the default data dir, and /run/hanok/<hash> for
// any other, so two nodes on one host get distinct sockets.
func (l Layout) RunDir() string {
	if l.DataDir == Default {
		return runRoot
	}
	sum := sha256.Sum256([]byte(l.DataDir))
	return filepath.Join(runRoot, hex.EncodeToString(sum[:4]))
}

// BundleDir is where the binaries shipped inside hanok (runc, CNI plugins)
// are extracted; "current" links to the folder of the running build.
func (l Layout) BundleDir() string { return filepath.Join(l.DataDir, "data") }

// BinDir holds runc, the CNI plugins and the shim link of the running build.
func (l Layout) BinDir() string { return filepath.Join(l.BundleDir(), "current", "bin") }

// AgentDir is the root of everything node-side.
func (l Layout) AgentDir() string { return filepath.Join(l.DataDir, "agent") }

// ContainerdRoot is containerd's persistent root (content, snapshots, metadata).
func (l Layout) ContainerdRoot() string { return filepath.Join(l.AgentDir(), "containerd") }

// ContainerdState is containerd's runtime state (tmpfs).
func (l Layout) ContainerdState() string { return filepath.Join(l.RunDir(), "containerd") }

// ContainerdSocket is the gRPC socket of the bundled containerd.
func (l Layout) ContainerdSocket() string {
	return filepath.Join(l.ContainerdState(), "containerd.sock")
}

// ContainerdConfig is the generated containerd config.toml.
func (l Layout) ContainerdConfig() string {
	return filepath.Join(l.AgentDir(), "etc", "containerd", "config.toml")
}

// ContainerdCertsDir holds one hosts.toml per registry, from registries.yaml.
func (l Layout) ContainerdCertsDir() string {
	return filepath.Join(l.AgentDir(), "etc", "containerd", "certs.d")
}

// ContainerdLog is where the containerd child process logs.
func (l Layout) ContainerdLog() string {
	return filepath.Join(l.AgentDir(), "containerd", "containerd.log")
}

// ImagesDir holds airgap image tarballs imported at agent start.
func (l Layout) ImagesDir() string { return filepath.Join(l.AgentDir(), "images") }

// CNIConfDir holds the CNI conflist the runtime reads.
func (l Layout) CNIConfDir() string { return filepath.Join(l.AgentDir(), "etc", "cni", "net.d") }

// CNIStateDir holds the CNI plugins' state (host-local IP allocations).
func (l Layout) CNIStateDir() string { return filepath.Join(l.AgentDir(), "cni") }

// KubeletRoot holds per-pod folders (volumes, plugins' state).
func (l Layout) KubeletRoot() string { return filepath.Join(l.AgentDir(), "kubelet") }

// PodLogsDir holds container logs, one folder per pod (upstream's /var/log/pods).
func (l Layout) PodLogsDir() string { return filepath.Join(l.AgentDir(), "pod-logs") }

// StaticPodsDir holds static pod manifests, run without the API server.
func (l Layout) StaticPodsDir() string { return filepath.Join(l.AgentDir(), "pod-manifests") }

// AgentCertsDir holds the kubelet's and proxy's credentials.
func (l Layout) AgentCertsDir() string { return filepath.Join(l.AgentDir(), "tls") }

// KubeletKubeconfig is the kubelet's client kubeconfig (system:node:<name>).
func (l Layout) KubeletKubeconfig() string { return filepath.Join(l.AgentDir(), "kubelet.kubeconfig") }

// CgroupRoot is the cgroup parent of every pod of a node, derived from the
// node name so two nodes on one host keep their pods apart.
func CgroupRoot(nodeName string) string { return "/hanok/" + nodeName }
