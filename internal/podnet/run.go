package podnet

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"time"

	"github.com/sirupsen/logrus"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

var log = logrus.WithField("component", "podnet")

// Config is one node's side of the pod network.
type Config struct {
	NodeName    string
	NodeIP      net.IP
	ClusterCIDR *net.IPNet
	Backend     string
	// Client has the node's identity: it reads Nodes and annotates its own.
	Client kubernetes.Interface
	// Resync re-applies the plan even with no change (default 30s), so a
	// route removed by hand comes back.
	Resync time.Duration
}

// Run keeps this node's routes to every other node's pods until ctx ends.
// Routes stay when it returns, so pods keep talking across an agent
// restart.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Backend == BackendNone {
		return nil
	}
	if cfg.Backend != BackendHostGW && cfg.Backend != BackendVXLAN {
		return fmt.Errorf("--network-backend %q: want vxlan, host-gw or none", cfg.Backend)
	}
	if cfg.Resync == 0 {
		cfg.Resync = 30 * time.Second
	}
	if err := ensureMasquerade(cfg.ClusterCIDR); err != nil {
		return fmt.Errorf("pod network masquerade rule: %w", err)
	}
	var dev *vxlanDevice
	if cfg.Backend == BackendVXLAN {
		var err error
		if dev, err = ensureVXLAN(cfg.NodeIP); err != nil {
			return fmt.Errorf("vxlan device: %w", err)
		}
		if err := publishVTEP(ctx, cfg, dev.mac); err != nil {
			return err
		}
	}
	factory := informers.NewSharedInformerFactory(cfg.Client, cfg.Resync)
	nodes := factory.Core().V1().Nodes()
	changed := make(chan struct{}, 1)
	poke := func(any) {
		select {
		case changed <- struct{}{}:
		default:
		}
	}
	_, _ = nodes.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: poke, UpdateFunc: func(_, o any) { poke(o) }, DeleteFunc: poke,
	})
	factory.Start(ctx.Done())
	defer factory.Shutdown()
	if !cache.WaitForCacheSync(ctx.Done(), nodes.Informer().HasSynced) {
		return nil
	}
	log.Infof("pod network backend %s on %s", cfg.Backend, cfg.NodeName)
	tick := time.NewTicker(cfg.Resync)
	defer tick.Stop()
	for {
		list, err := nodes.Lister().List(labels.Everything())
		if err == nil {
			if dev != nil {
				dev.ensureAddress(list, cfg.NodeName)
			}
			if err := apply(Desired(list, cfg.NodeName, cfg.Backend), dev); err != nil {
				log.WithError(err).Warn("applying pod network routes")
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		case <-tick.C:
		}
	}
}

// publishVTEP records this node's VTEP MAC on its Node, where the others
// read it; the node may annotate its own Node.
func publishVTEP(ctx context.Context, cfg Config, mac net.HardwareAddr) error {
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{
		"annotations": map[string]string{AnnotationVTEPMAC: mac.String()}}})
	for {
		_, err := cfg.Client.CoreV1().Nodes().Patch(ctx, cfg.NodeName, types.MergePatchType, patch, metav1.PatchOptions{})
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second): // not registered yet
		}
	}
}

// ownPodCIDR is this node's pod CIDR, once node IPAM gave it one.
func ownPodCIDR(list []*v1.Node, self string) *net.IPNet {
	for _, n := range list {
		if n.Name == self {
			return podCIDRv4(n)
		}
	}
	return nil
}
