package controlplane

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/apiserver"
	"github.com/hanok-dev/hanok/internal/apiserver/kubeletproxy"
	"github.com/hanok-dev/hanok/internal/apiserver/metricsapi"
)

// installKubeletAPIs adds what the API server serves from kubelets:
// pods/log, pods/exec, pods/attach, pods/portforward and nodes/proxy
// (kubeletproxy), and metrics.k8s.io (metricsapi). Kubelets are dialled as
// system:kube-apiserver (Config.KubeletClientTLS, by default a
// certificate from the PKI's client CA, trusting the server CA). Pods and
// nodes are read through the loopback client for the proxy (fresh: logs
// are asked for right after a pod starts) and from the informers for the
// metrics (a listing of every pod would otherwise cost a round trip each
// `kubectl top`).
func installKubeletAPIs(ctx context.Context, api *apiserver.Server, cfg Config, a *auth) error {
	tlsConfig := cfg.KubeletClientTLS
	if tlsConfig == nil {
		var err error
		if tlsConfig, err = cfg.PKI.KubeletClientTLSConfig(); err != nil {
			return fmt.Errorf("kubelet client certificate: %w", err)
		}
	}
	kubelets := kubeletproxy.NewClient(tlsConfig)
	go func() {
		<-ctx.Done()
		kubelets.CloseIdleConnections()
	}()
	kubeletproxy.New(kubeletproxy.Config{
		Pod: func(ctx context.Context, namespace, name string) (*corev1.Pod, error) {
			return a.client.CoreV1().Pods(namespace).Get(ctx, name, metav1.GetOptions{})
		},
		Node: func(ctx context.Context, name string) (*corev1.Node, error) {
			return a.client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		},
		Kubelets: kubelets,
		Pipeline: api,
	}).Install(api)
	metricsapi.New(metricsapi.Config{
		Nodes:  a.data.nodes,
		Pods:   a.data.pods,
		Source: metricsapi.NewSource(metricsapi.KubeletSummary(kubelets), cfg.MetricsTTL),
	}).Install(api)
	return nil
}
