package nodestatus

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"strings"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
)

// LabelControlPlane marks servers, as upstream's kubeadm and k3s do.
const LabelControlPlane = "node-role.kubernetes.io/control-plane"

// defaultLabels are the labels every kubelet puts on its node.
func defaultLabels(cfg Config) map[string]string {
	return map[string]string{
		v1.LabelHostname:          strings.ToLower(cfg.Hostname),
		v1.LabelOSStable:          runtime.GOOS,
		v1.LabelArchStable:        runtime.GOARCH,
		"beta.kubernetes.io/os":   runtime.GOOS,
		"beta.kubernetes.io/arch": runtime.GOARCH,
	}
}

// SelfLabels are the labels the kubelet sets on its own Node: the default
// ones and those of cfg.Labels that NodeRestriction lets a node set.
func SelfLabels(cfg Config) map[string]string {
	cfg = cfg.withDefaults()
	out := map[string]string{}
	for k, v := range cfg.Labels {
		if !restrictedLabel(k) {
			out[k] = v
		}
	}
	maps.Copy(out, defaultLabels(cfg))
	return out
}

// RestrictedLabels are the labels of cfg a node may not set on itself
// (NodeRestriction refuses them, so that a compromised node cannot steer
// workloads to itself): node-role.kubernetes.io/control-plane on a control
// plane node, and any such key given in cfg.Labels. Something with more
// rights than the node sets them: ApplyRestrictedLabels.
func RestrictedLabels(cfg Config) map[string]string {
	out := map[string]string{}
	for k, v := range cfg.Labels {
		if restrictedLabel(k) {
			out[k] = v
		}
	}
	if cfg.ControlPlane {
		out[LabelControlPlane] = "true"
	}
	return out
}

// ApplyRestrictedLabels sets RestrictedLabels(cfg) on the Node through
// client, which must be allowed to update nodes (the server's own identity,
// as k3s does with its controller user, never the node's). It waits for
// the Node to be registered, until ctx ends.
func ApplyRestrictedLabels(ctx context.Context, client kubernetes.Interface, cfg Config) error {
	want := RestrictedLabels(cfg)
	if len(want) == 0 {
		return nil
	}
	return wait.PollUntilContextCancel(ctx, 500*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			node, err := client.CoreV1().Nodes().Get(ctx, cfg.NodeName, metav1.GetOptions{})
			if err != nil {
				return err
			}
			if !mergeLabels(node, want) {
				return nil
			}
			_, err = client.CoreV1().Nodes().Update(ctx, node, metav1.UpdateOptions{})
			return err
		})
		switch {
		case err == nil:
			return true, nil
		case apierrors.IsNotFound(err):
			return false, nil // not registered yet
		default:
			return false, fmt.Errorf("labelling node %s: %w", cfg.NodeName, err)
		}
	})
}

// mergeLabels sets want on node, reporting whether anything changed.
// Labels others added are left alone.
func mergeLabels(node *v1.Node, want map[string]string) bool {
	changed := false
	for k, v := range want {
		if cur, ok := node.Labels[k]; !ok || cur != v {
			if node.Labels == nil {
				node.Labels = map[string]string{}
			}
			node.Labels[k] = v
			changed = true
		}
	}
	return changed
}

// kubeletLabels and kubeletLabelDomains restate NodeRestriction's policy
// (internal/apiserver/admission/plugins/noderestriction.go, as upstream's
// kubelet label policy): within kubernetes.io and k8s.io a node may only
// set these.
var kubeletLabels = map[string]bool{
	v1.LabelHostname:                true,
	v1.LabelTopologyZone:            true,
	v1.LabelTopologyRegion:          true,
	v1.LabelFailureDomainBetaZone:   true,
	v1.LabelFailureDomainBetaRegion: true,
	v1.LabelInstanceType:            true,
	v1.LabelInstanceTypeStable:      true,
	v1.LabelOSStable:                true,
	v1.LabelArchStable:              true,
	"beta.kubernetes.io/os":         true,
	"beta.kubernetes.io/arch":       true,
	v1.LabelWindowsBuild:            true,
}

var kubeletLabelDomains = []string{v1.LabelNamespaceSuffixKubelet, v1.LabelNamespaceSuffixNode}

// restrictedLabel reports a key NodeRestriction forbids a node to set.
func restrictedLabel(key string) bool {
	domain, _, ok := strings.Cut(key, "/")
	if !ok {
		return false
	}
	if inDomain(domain, v1.LabelNamespaceNodeRestriction) {
		return true
	}
	if !inDomain(domain, "kubernetes.io") && !inDomain(domain, "k8s.io") {
		return false
	}
	if kubeletLabels[key] {
		return false
	}
	for _, d := range kubeletLabelDomains {
		if inDomain(domain, d) {
			return false
		}
	}
	return true
}

func inDomain(domain, d string) bool {
	return domain == d || strings.HasSuffix(domain, "."+d)
}
