package leader

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/sirupsen/logrus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
)

// Timing is the lease's timing; Default is upstream's (15s lease, 10s
// renew deadline, 2s retry), which is what --leader-elect uses.
type Timing struct {
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration
}

// Default is kube-scheduler's and kube-controller-manager's default timing.
var Default = Timing{LeaseDuration: 15 * time.Second, RenewDeadline: 10 * time.Second, RetryPeriod: 2 * time.Second}

// Config says which lease to hold and as whom.
type Config struct {
	// Name is the Lease's name in Namespace (kube-system when empty):
	// "kube-scheduler", "kube-controller-manager".
	Name      string
	Namespace string
	// Identity is this candidate's holder identity; empty: hostname plus a
	// random suffix, as upstream, so two candidates on one host differ.
	Identity string
	Timing   Timing // zero: Default
}

// Run blocks until ctx ends, calling lead with a context that is cancelled
// when leadership is lost (or ctx ends). lead runs at most once at a time;
// when leadership is lost it is asked to stop, and Run keeps campaigning
// so the candidate can lead again later. The lease is released when ctx
// ends, so a clean shutdown hands over at once rather than after the lease
// expires.
func Run(ctx context.Context, client kubernetes.Interface, cfg Config, lead func(ctx context.Context)) error {
	lock, err := lockFor(client, cfg)
	if err != nil {
		return err
	}
	timing := cfg.Timing
	if timing == (Timing{}) {
		timing = Default
	}
	log := logrus.WithFields(logrus.Fields{"component": "leader", "lease": lock.Describe(), "identity": lock.Identity()})
	elector, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock:            lock,
		LeaseDuration:   timing.LeaseDuration,
		RenewDeadline:   timing.RenewDeadline,
		RetryPeriod:     timing.RetryPeriod,
		ReleaseOnCancel: true,
		Name:            cfg.Name,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(leadCtx context.Context) {
				log.Info("became leader")
				lead(leadCtx)
			},
			OnStoppedLeading: func() { log.Info("stopped leading") },
		},
	})
	if err != nil {
		return fmt.Errorf("leader election for %s: %w", cfg.Name, err)
	}
	// One elector.Run returns when leadership is lost; campaign again
	// until ctx ends.
	for ctx.Err() == nil {
		elector.Run(ctx)
	}
	return nil
}

func lockFor(client kubernetes.Interface, cfg Config) (*resourcelock.LeaseLock, error) {
	if cfg.Name == "" {
		return nil, fmt.Errorf("leader election: Config.Name is required")
	}
	ns := cfg.Namespace
	if ns == "" {
		ns = "kube-system"
	}
	id := cfg.Identity
	if id == "" {
		host, err := os.Hostname()
		if err != nil {
			return nil, fmt.Errorf("leader election identity: %w", err)
		}
		id = host + "_" + string(uuid.NewUUID())
	}
	return &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Namespace: ns, Name: cfg.Name},
		Client:     client.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: id},
	}, nil
}
