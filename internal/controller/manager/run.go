package manager

import (
	"context"
	"fmt"
	"sync"

	"github.com/sirupsen/logrus"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/record"

	"github.com/hanok-dev/hanok/internal/controller"
	"github.com/hanok-dev/hanok/internal/leader"
)

var log = logrus.WithField("component", "controller-manager")

// Run runs the enabled controllers until ctx ends: while holding the
// Lease when cfg.LeaderElect, else at once. It returns an error only for a
// configuration that cannot work.
func Run(ctx context.Context, cfg Config) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	entries, err := enabled(Controllers, cfg.Controllers)
	if err != nil {
		return err
	}
	managerConfig := rest.CopyConfig(cfg.RESTConfig)
	managerConfig.UserAgent = "kube-controller-manager"
	client, err := kubernetes.NewForConfig(managerConfig)
	if err != nil {
		return fmt.Errorf("controller manager: %w", err)
	}
	// Token sources outlive terms: a new term reuses tokens still fresh.
	sources := map[string]*tokenSource{}
	for _, e := range entries {
		sources[e.Account] = newTokenSource(client, e.Account, cfg.TokenExpiration)
	}
	term := func(ctx context.Context) { runTerm(ctx, &cfg, client, entries, sources) }
	if !cfg.LeaderElect {
		term(ctx)
		return nil
	}
	return leader.Run(ctx, client, leader.Config{Name: LeaseName, Identity: cfg.LeaderIdentity, Timing: cfg.LeaderTiming}, term)
}

// running is one built controller of a term.
type running struct {
	entry       Entry
	controller  controller.Controller
	broadcaster record.EventBroadcaster
}

// runTerm builds every controller, starts the shared informers and runs
// the controllers until ctx ends (leadership lost, or shutdown), then waits
// for them all to stop. A controller that cannot be built is logged and
// left out; the others run.
func runTerm(ctx context.Context, cfg *Config, client kubernetes.Interface, entries []Entry, sources map[string]*tokenSource) {
	sharedConfig := rest.CopyConfig(cfg.RESTConfig)
	sharedConfig.UserAgent = "kube-controller-manager/shared-informers"
	sharedClient, err := kubernetes.NewForConfig(sharedConfig)
	if err != nil {
		log.WithError(err).Error("shared informers' client")
		return
	}
	factory := informers.NewSharedInformerFactory(sharedClient, cfg.Resync)
	var built []running
	for _, e := range entries {
		r, err := build(ctx, e, cfg, factory, sources[e.Account])
		if err != nil {
			log.WithError(err).Errorf("not starting %s", e.Name)
			continue
		}
		if r.controller == nil {
			log.Debugf("%s is switched off by the configuration", e.Name)
			continue
		}
		built = append(built, r)
	}
	factory.Start(ctx.Done())
	var wg sync.WaitGroup
	for _, r := range built {
		wg.Go(func() {
			log.Debugf("starting %s", r.entry.Name)
			r.controller.Run(ctx, max(r.entry.Workers, 1))
		})
	}
	log.Infof("running %d controllers", len(built))
	<-ctx.Done()
	wg.Wait()
	factory.Shutdown()
	for _, r := range built {
		r.broadcaster.Shutdown()
	}
}

// build makes one controller's Context and the controller. The first
// token is fetched now, as upstream, so the account exists and a
// credentials problem shows at start; should it fail, the first request
// tries again.
func build(ctx context.Context, e Entry, cfg *Config, factory informers.SharedInformerFactory, source *tokenSource) (running, error) {
	if _, err := source.get(ctx); err != nil {
		log.WithError(err).Warnf("%s: no token yet", e.Name)
	}
	restConfig := accountConfig(cfg.RESTConfig, source)
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return running{}, err
	}
	eventSource := e.EventSource
	if eventSource == "" {
		eventSource = e.Account
	}
	broadcaster, recorder := newRecorder(client, eventSource)
	c, err := e.New(controller.Context{Client: client, RESTConfig: restConfig, Informers: factory, Recorder: recorder}, cfg)
	if err != nil || c == nil {
		broadcaster.Shutdown()
		return running{entry: e}, err
	}
	return running{entry: e, controller: c, broadcaster: broadcaster}, nil
}
