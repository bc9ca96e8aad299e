package server

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/hanok-dev/hanok/internal/controller/manager"
	"github.com/hanok-dev/hanok/internal/controlplane"
	"github.com/hanok-dev/hanok/internal/pki"
	"github.com/hanok-dev/hanok/internal/scheduler"
)

// component is one control-plane component that runs in this process as a
// client of the API server; its state is what componentstatuses reports.
type component struct {
	name  string
	state atomic.Value // error: nil while running
}

var (
	errNotStarted = errors.New("not started yet")
	errDisabled   = errors.New("not running in this server")
)

func newComponent(name string, disabled bool) *component {
	c := &component{name: name}
	if disabled {
		c.state.Store(&stateErr{errDisabled})
	} else {
		c.state.Store(&stateErr{errNotStarted})
	}
	return c
}

// stateErr wraps the state so atomic.Value always holds one type.
type stateErr struct{ err error }

// health is the component's componentstatuses check. A standby (not the
// leader) is healthy, as upstream's standby components answer /healthz.
func (c *component) health(context.Context) error { return c.state.Load().(*stateErr).err }

// run runs fn, recording that it runs and why it stopped.
func (c *component) run(wg *sync.WaitGroup, fn func() error) {
	c.state.Store(&stateErr{})
	wg.Go(func() {
		err := fn()
		if err == nil {
			err = errors.New("stopped")
		} else {
			log.WithError(err).Errorf("%s stopped", c.name)
		}
		c.state.Store(&stateErr{err})
	})
}

// components are the scheduler and the controller manager of this server.
type components struct {
	scheduler, controllers *component
}

func newComponents(cfg *Config) *components {
	return &components{
		scheduler:   newComponent("scheduler", cfg.DisableScheduler),
		controllers: newComponent("controller-manager", cfg.DisableControllers),
	}
}

// healthChecks are the checks componentstatuses reads.
func (cs *components) healthChecks() map[string]func(context.Context) error {
	return map[string]func(context.Context) error{
		"scheduler":          cs.scheduler.health,
		"controller-manager": cs.controllers.health,
	}
}

// start runs the components, each as goroutines with its own identity
// over the API server's URL, exactly as they would from another machine.
// The returned wait blocks until they have stopped after ctx ends.
func (cs *components) start(ctx context.Context, cfg *Config, url string, bundle *pki.Bundle) (wait func(), err error) {
	var wg sync.WaitGroup
	if !cfg.DisableScheduler {
		rest, err := controlplane.ClientConfig(bundle, url, controlplane.SchedulerIdentity)
		if err != nil {
			return nil, err
		}
		scfg := scheduler.Config{RESTConfig: rest, LeaderElect: cfg.LeaderElect}
		cs.scheduler.run(&wg, func() error { return scheduler.Run(ctx, scfg) })
	}
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
		if !cfg.Disabled("coredns") {
			mcfg.ClusterDNS = cfg.ClusterDNS
		}
		cs.controllers.run(&wg, func() error { return manager.Run(ctx, mcfg) })
	}
	return wg.Wait, nil
}
