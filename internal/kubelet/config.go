package kubelet

import (
	"errors"
	"net"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	internalapi "k8s.io/cri-api/pkg/apis"

	"github.com/hanok-dev/hanok/internal/kubelet/eviction"
)

// Config is everything the kubelet needs; the agent builds it from the
// data-dir layout (internal/datadir) and its flags.
type Config struct {
	NodeName string
	NodeIPs  []net.IP // first is the primary; reported as hostIP(s)
	Hostname string   // node hostname; default NodeName
	// Client has the node's identity (system:node:<name>, group system:nodes).
	Client kubernetes.Interface

	// RuntimeEndpoint is the CRI socket, e.g. unix:///run/hanok/containerd/containerd.sock.
	RuntimeEndpoint string
	// Runtime and Images replace the CRI connection (tests use cri-api's
	// fakes); when nil, RuntimeEndpoint is dialled.
	Runtime internalapi.RuntimeService
	Images  internalapi.ImageManagerService

	RootDir       string // layout.KubeletRoot(): pods/<uid>/{volumes,containers,etc-hosts}
	PodLogsDir    string // layout.PodLogsDir()
	StaticPodsDir string // layout.StaticPodsDir(); empty disables static pods
	CgroupRoot    string // datadir.CgroupRoot(node)

	ClusterDNS    []net.IP
	ClusterDomain string // default cluster.local
	ResolvConf    string // host resolv.conf for dnsPolicy Default; default /etc/resolv.conf

	Labels       map[string]string
	Taints       []v1.Taint
	ControlPlane bool
	Port         int32 // kubelet server port reported in status.daemonEndpoints (10250)
	MaxPods      int
	// PauseImage is the sandbox image; the runtime's config pins it, the
	// kubelet only makes sure it is present before the first sandbox.
	PauseImage string

	// Eviction thresholds; zero values take eviction's defaults.
	Eviction eviction.Thresholds
	// ImageFsDir is the runtime's image store (layout.ContainerdRoot()),
	// watched for imagefs pressure; empty means RootDir's filesystem.
	ImageFsDir string
	// DisableNodeStatus skips registration, Lease and node status (tests
	// that only exercise pods); DisableEviction skips the eviction manager.
	DisableNodeStatus bool
	DisableEviction   bool

	// SyncInterval is each pod worker's resync period (default 10s);
	// RelistInterval how often CRI is relisted for changes (default 1s).
	SyncInterval   time.Duration
	RelistInterval time.Duration
}

func (c Config) withDefaults() (Config, error) {
	if c.NodeName == "" {
		return c, errors.New("kubelet: NodeName is required")
	}
	if c.Client == nil {
		return c, errors.New("kubelet: Client is required")
	}
	if c.Runtime == nil && c.RuntimeEndpoint == "" {
		return c, errors.New("kubelet: RuntimeEndpoint is required")
	}
	if c.RootDir == "" || c.PodLogsDir == "" {
		return c, errors.New("kubelet: RootDir and PodLogsDir are required")
	}
	if c.Hostname == "" {
		c.Hostname = c.NodeName
	}
	if c.ClusterDomain == "" {
		c.ClusterDomain = "cluster.local"
	}
	if c.ResolvConf == "" {
		c.ResolvConf = "/etc/resolv.conf"
	}
	if c.CgroupRoot == "" {
		c.CgroupRoot = "/hanok/" + c.NodeName
	}
	if c.Port == 0 {
		c.Port = 10250
	}
	if c.SyncInterval <= 0 {
		c.SyncInterval = 10 * time.Second
	}
	if c.RelistInterval <= 0 {
		c.RelistInterval = time.Second
	}
	return c, nil
}
