package agent

import (
	"context"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/hanok-dev/hanok/internal/cni"
	"github.com/hanok-dev/hanok/internal/datadir"
)

// writeCNIConfigWhenReady waits until the node IPAM controller has given
// this node its pod CIDRs, then writes the bridge conflist. Until then the
// runtime reports the network not ready and the node stays NotReady, as
// upstream's does without a CNI config.
func writeCNIConfigWhenReady(ctx context.Context, client kubernetes.Interface, cfg Config, layout datadir.Layout) error {
	var node *v1.Node
	err := wait.PollUntilContextCancel(ctx, time.Second, true, func(ctx context.Context) (bool, error) {
		n, err := client.CoreV1().Nodes().Get(ctx, cfg.NodeName, metav1.GetOptions{})
		if err != nil {
			return false, nil // not registered yet
		}
		node = n
		return len(n.Spec.PodCIDRs) > 0 || n.Spec.PodCIDR != "", nil
	})
	if err != nil {
		return nil // ctx ended
	}
	cidrs := node.Spec.PodCIDRs
	if len(cidrs) == 0 {
		cidrs = []string{node.Spec.PodCIDR}
	}
	// Hairpin lets a pod reach itself through its Service. No ipMasq:
	// podnet masquerades only traffic leaving the cluster CIDR, so pods on
	// other nodes see the true source address.
	return cni.WriteBridgeConfig(layout, cni.BridgeOptions{PodCIDRs: cidrs, HairpinMode: true})
}
