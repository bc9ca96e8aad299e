package agent

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/sirupsen/logrus"
	"golang.org/x/sync/errgroup"
	"k8s.io/client-go/kubernetes"
	internalapi "k8s.io/cri-api/pkg/apis"
	remote "k8s.io/cri-client/pkg"

	"github.com/hanok-dev/hanok/internal/bundle"
	"github.com/hanok-dev/hanok/internal/containerd"
	"github.com/hanok-dev/hanok/internal/datadir"
	"github.com/hanok-dev/hanok/internal/kubelet"
	kubeletserver "github.com/hanok-dev/hanok/internal/kubelet/server"
	"github.com/hanok-dev/hanok/internal/kubelet/stats"
	"github.com/hanok-dev/hanok/internal/podnet"
	"github.com/hanok-dev/hanok/internal/proxy"
)

var log = logrus.WithField("component", "agent")

// Run runs the node until ctx ends. Containers keep running when it
// returns: containerd is stopped, its shims are not, and the next start
// adopts them.
func Run(ctx context.Context, cfg Config) error {
	start := time.Now()
	layout := datadir.New(cfg.DataDir)
	if err := bundle.Extract(layout); err != nil {
		return err
	}
	pause := cfg.PauseImage
	if pause == "" {
		pause = bundle.PauseImage
	}
	if err := containerd.WriteConfig(layout, containerd.ConfigOptions{PauseImage: pause, RegistriesFile: cfg.PrivateRegistry}); err != nil {
		return fmt.Errorf("writing containerd config: %w", err)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	runtime, err := containerd.Supervise(ctx, layout, self, nil)
	if err != nil {
		return fmt.Errorf("starting containerd: %w", err)
	}
	defer runtime.Wait()
	if err := importImages(ctx, layout); err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(cfg.Credentials.Kubelet)
	if err != nil {
		return err
	}
	// One CRI connection serves the kubelet, its server and its stats.
	cri, err := remote.NewRemoteRuntimeServiceBuilder().WithEndpoint("unix://" + layout.ContainerdSocket()).
		WithConnectionTimeout(2 * time.Minute).WithTracerProvider(nil).Build(ctx)
	if err != nil {
		return fmt.Errorf("connecting to containerd: %w", err)
	}
	kcfg := kubeletConfig(cfg, layout, client, pause)
	kcfg.Runtime = cri
	k, err := kubelet.New(kcfg)
	if err != nil {
		return err
	}
	log.Infof("agent %s up in %v (containerd %s)", cfg.NodeName, time.Since(start).Round(time.Millisecond), layout.ContainerdSocket())

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return k.Run(ctx) })
	g.Go(func() error {
		return kubeletserver.Run(ctx, kubeletServerConfig(cfg, layout, client, cri, k))
	})
	if cfg.NetworkBackend != podnet.BackendNone {
		g.Go(func() error { return writeCNIConfigWhenReady(ctx, client, cfg, layout) })
		g.Go(func() error {
			return podnet.Run(ctx, podnet.Config{NodeName: cfg.NodeName, NodeIP: cfg.NodeIPs[0], ClusterCIDR: cfg.ClusterCIDR,
				Backend: cfg.NetworkBackend, Client: client})
		})
	}
	proxyClient, err := kubernetes.NewForConfig(cfg.Credentials.Proxy)
	if err != nil {
		return err
	}
	g.Go(func() error {
		return proxy.Run(ctx, proxy.Config{NodeName: cfg.NodeName, NodeIPs: cfg.NodeIPs, ClusterCIDR: cfg.ClusterCIDR, Client: proxyClient})
	})
	if !cfg.DisableDNS {
		go runDNS(ctx, cfg, proxyClient)
	}
	return g.Wait()
}

func kubeletConfig(cfg Config, layout datadir.Layout, client kubernetes.Interface, pause string) kubelet.Config {
	hostname, _ := os.Hostname()
	return kubelet.Config{
		NodeName:        cfg.NodeName,
		NodeIPs:         cfg.NodeIPs,
		Hostname:        hostname,
		Client:          client,
		RuntimeEndpoint: "unix://" + layout.ContainerdSocket(),
		RootDir:         layout.KubeletRoot(),
		PodLogsDir:      layout.PodLogsDir(),
		StaticPodsDir:   layout.StaticPodsDir(),
		CgroupRoot:      datadir.CgroupRoot(cfg.NodeName),
		ClusterDNS:      []net.IP{cfg.ClusterDNS},
		ClusterDomain:   cfg.ClusterDomain,
		ResolvConf:      cfg.ResolvConf,
		Labels:          cfg.Labels,
		Taints:          cfg.Taints,
		ControlPlane:    cfg.ControlPlane,
		Port:            cfg.KubeletPort,
		PauseImage:      pause,
		ImageFsDir:      layout.ContainerdRoot(),
	}
}

func kubeletServerConfig(cfg Config, layout datadir.Layout, client kubernetes.Interface, cri internalapi.RuntimeService, k *kubelet.Kubelet) kubeletserver.Config {
	return kubeletserver.Config{
		Addr:       net.JoinHostPort("", strconv.Itoa(int(cfg.KubeletPort))),
		Cert:       cfg.Credentials.Serving,
		ClientCAs:  cfg.Credentials.ClientCAs,
		Authorizer: client.AuthorizationV1().SubjectAccessReviews(),
		Runtime:    cri,
		Provider:   k,
		NodeName:   cfg.NodeName,
		Stats: stats.New(stats.Config{
			NodeName: cfg.NodeName, Runtime: cri,
			RootDir: layout.KubeletRoot(), ImageFsDir: layout.ContainerdRoot(),
			PodLogsDir: layout.PodLogsDir(), CgroupRoot: datadir.CgroupRoot(cfg.NodeName),
		}),
	}
}
