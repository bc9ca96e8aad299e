package server

import (
	"context"
	"sync"

	"github.com/hanok-dev/hanok/internal/controller/manager"
	"github.com/hanok-dev/hanok/internal/controlplane"
	"github.com/hanok-dev/hanok/internal/pki"
)

// startComponents runs the control-plane components that are clients of
// the API server (the controller manager; the scheduler), each as
// goroutines with its own identity over the API server's URL, exactly as
// they would from another machine. The returned wait blocks until they have
// stopped after ctx ends.
func startComponents(ctx context.Context, cfg *Config, url string, bundle *pki.Bundle) (wait func(), err error) {
	var wg sync.WaitGroup
	if !cfg.DisableControllers {
		rest, err := controlplane.ClientConfig(bundle, url, controlplane.ControllerManagerIdentity)
		if err != nil {
			return nil, err
		}
		mcfg := manager.Config{
			RESTConfig:  rest,
			LeaderElect: cfg.LeaderElect,
			RootCA:      bundle.ServerCAPEM(),
			ClusterCIDR: cfg.ClusterCIDR,
		}
		wg.Go(func() {
			if err := manager.Run(ctx, mcfg); err != nil {
				log.WithError(err).Error("controller manager stopped")
			}
		})
	}
	return wg.Wait, nil
}
