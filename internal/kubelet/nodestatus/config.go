package nodestatus

import (
	"context"
	"net"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
)

// RuntimeInfo is what the node status needs from the container runtime.
type RuntimeInfo interface {
	// Version returns the runtime's name and version, e.g. "containerd", "2.4.2".
	Version(ctx context.Context) (name, version string, err error)
	// Status reports whether the runtime and its network are ready; msg
	// explains what is not.
	Status(ctx context.Context) (runtimeReady, networkReady bool, msg string)
}

// PressureSource reports node pressure (eviction.Manager implements it).
type PressureSource interface {
	MemoryPressure() bool
	DiskPressure() bool
	PIDPressure() bool
}

// Config is everything Register and Run need.
type Config struct {
	NodeName string
	Hostname string // kubernetes.io/hostname and the Hostname address; default NodeName
	NodeIPs  []net.IP
	// Client uses the node identity (system:node:<name>, group system:nodes).
	Client kubernetes.Interface

	// Labels are added at registration and kept on re-registration. Labels
	// NodeRestriction forbids a node to set (node-role.kubernetes.io/*,
	// node-restriction.kubernetes.io/*, other kubernetes.io and k8s.io
	// labels that are not a kubelet's) are skipped here: see
	// RestrictedLabels and ApplyRestrictedLabels.
	Labels       map[string]string
	Taints       []v1.Taint // set at registration only, as upstream
	ControlPlane bool       // node-role.kubernetes.io/control-plane="true", through ApplyRestrictedLabels
	Port         int32      // kubelet server port, reported in daemonEndpoints
	MaxPods      int        // 0 means 110

	Runtime  RuntimeInfo    // optional: nil reports the runtime as not ready
	Pressure PressureSource // optional: nil means no pressure

	CgroupRoot string // cgroup of the node's pods, e.g. /hanok/<node>: its limits cap capacity
	RootDir    string // kubelet root, statfs'd for ephemeral-storage

	// ImagesLister lists the images on the node (optional).
	ImagesLister func(ctx context.Context) ([]v1.ContainerImage, error)

	// Unexported knobs for tests; zero means upstream's value.
	leaseInterval  time.Duration // 10s
	statusInterval time.Duration // 10s
	reportInterval time.Duration // 5m
	hostRoot       string        // "/": where /proc, /sys and /etc are read
}

const (
	defaultMaxPods        = 110
	leaseDurationSeconds  = 40
	defaultLeaseInterval  = 10 * time.Second // a quarter of the lease duration, as upstream
	defaultStatusInterval = 10 * time.Second // nodeStatusUpdateFrequency
	defaultReportInterval = 5 * time.Minute  // nodeStatusReportFrequency
)

// withDefaults fills the zero values.
func (c Config) withDefaults() Config {
	if c.Hostname == "" {
		c.Hostname = c.NodeName
	}
	if c.MaxPods <= 0 {
		c.MaxPods = defaultMaxPods
	}
	if c.leaseInterval <= 0 {
		c.leaseInterval = defaultLeaseInterval
	}
	if c.statusInterval <= 0 {
		c.statusInterval = defaultStatusInterval
	}
	if c.reportInterval <= 0 {
		c.reportInterval = defaultReportInterval
	}
	if c.hostRoot == "" {
		c.hostRoot = "/"
	}
	return c
}
