package scheduler

import (
	"context"
	"fmt"
	"os"
	"time"

	"k8s.io/apimachinery/pkg/util/uuid"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/hanok-dev/hanok/internal/leader"
)

// Config is what Run needs.
type Config struct {
	// RESTConfig is the scheduler's own identity (system:kube-scheduler).
	// A zero QPS becomes 1000 (burst 2000): each pod costs a binding and
	// an event, and client-go's default 5 QPS would cap throughput at a
	// few pods a second.
	RESTConfig *rest.Config
	// LeaderElect makes Run schedule only while it holds the
	// kube-system/kube-scheduler Lease.
	LeaderElect bool
	// LeaderTiming overrides upstream's 15s/10s/2s (tests shorten it).
	LeaderTiming leader.Timing
	// LeaderIdentity is this candidate's name in the Lease and its
	// events' reportingInstance (default: hostname plus a random suffix).
	LeaderIdentity string
	// SchedulerNames are the profiles: pods whose spec.schedulerName is
	// one of them are scheduled, others left alone. Default
	// ["default-scheduler"].
	SchedulerNames []string
	// Parallelism is how many goroutines filter and score nodes (default
	// 16, as upstream).
	Parallelism int
	// PodInitialBackoff / PodMaxBackoff override 1s / 10s.
	PodInitialBackoff, PodMaxBackoff time.Duration
}

// Run schedules pods until ctx ends.
func Run(ctx context.Context, cfg Config) error {
	if cfg.RESTConfig == nil {
		return fmt.Errorf("scheduler: Config.RESTConfig is required")
	}
	rc := rest.CopyConfig(cfg.RESTConfig)
	if rc.QPS == 0 {
		rc.QPS, rc.Burst = 1000, 2000
	}
	if rc.ContentType == "" {
		// As upstream's kube-scheduler: protobuf is cheaper to encode and
		// decode than JSON for every list, watch event and binding.
		rc.ContentType = "application/vnd.kubernetes.protobuf"
		rc.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	}
	if rc.UserAgent == "" {
		rc.UserAgent = "hanok-scheduler"
	}
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return fmt.Errorf("scheduler: client: %w", err)
	}
	if cfg.LeaderIdentity == "" {
		host, _ := os.Hostname()
		cfg.LeaderIdentity = host + "_" + string(uuid.NewUUID())
	}
	s := New(client, cfg)
	if err := s.Start(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return err
	}
	defer s.Stop()
	if !cfg.LeaderElect {
		s.Schedule(ctx)
		return nil
	}
	return leader.Run(ctx, client, leader.Config{
		Name: "kube-scheduler", Identity: cfg.LeaderIdentity, Timing: cfg.LeaderTiming,
	}, s.Schedule)
}
