package scheduler

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/sirupsen/logrus"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/informers"
	corev1informers "k8s.io/client-go/informers/core/v1"
	policyv1informers "k8s.io/client-go/informers/policy/v1"
	storagev1informers "k8s.io/client-go/informers/storage/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"

	schedcache "github.com/hanok-dev/hanok/internal/scheduler/cache"
	"github.com/hanok-dev/hanok/internal/scheduler/framework"
	"github.com/hanok-dev/hanok/internal/scheduler/plugins/podtopologyspread"
	"github.com/hanok-dev/hanok/internal/scheduler/queue"
)

// maxBindsInFlight bounds concurrent binding requests.
const maxBindsInFlight = 64

// Scheduler is one scheduler instance: informers, cache, queue and
// profiles.
type Scheduler struct {
	client    kubernetes.Interface
	factory   informers.SharedInformerFactory
	listers   *listers
	cache     *schedcache.Cache
	queue     *queue.Queue
	profiles  map[string]*framework.Profile
	recorders map[string]record.EventRecorder
	broadcast record.EventBroadcaster
	algo      *algorithm
	log       *logrus.Entry

	// nextStart is the round-robin index of the next cycle's first node
	// (only the scheduling goroutine touches it).
	nextStart int
	binds     sync.WaitGroup
	bindSlots chan struct{}
	nominator *nominator
	cancel    context.CancelFunc
}

// New builds a scheduler on client; Start runs its informers, Schedule
// its loop.
func New(client kubernetes.Interface, cfg Config) *Scheduler {
	names := cfg.SchedulerNames
	if len(names) == 0 {
		names = []string{DefaultSchedulerName}
	}
	parallelism := cfg.Parallelism
	if parallelism <= 0 {
		parallelism = 16
	}
	s := &Scheduler{
		client:    client,
		factory:   informers.NewSharedInformerFactory(client, 0),
		cache:     schedcache.New(),
		profiles:  map[string]*framework.Profile{},
		recorders: map[string]record.EventRecorder{},
		algo:      &algorithm{parallelism: parallelism, rnd: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))},
		log:       logrus.WithField("component", "scheduler"),
		bindSlots: make(chan struct{}, maxBindsInFlight),
		nominator: newNominator(),
	}
	s.listers = newListers(s.factory)
	s.broadcast = record.NewBroadcaster()
	interest := map[framework.ClusterEvent]sets.Set[string]{}
	for _, name := range names {
		prof := framework.NewProfile(name, defaultPlugins(s.listers, client))
		s.profiles[name] = prof
		s.recorders[name] = s.broadcast.NewRecorder(scheme.Scheme, v1.EventSource{Component: name, Host: cfg.LeaderIdentity})
		for ev, plugins := range prof.Interest() {
			if interest[ev] == nil {
				interest[ev] = sets.New[string]()
			}
			interest[ev] = interest[ev].Union(plugins)
		}
	}
	s.queue = queue.New(queue.Options{Interest: interest, InitialBackoff: cfg.PodInitialBackoff, MaxBackoff: cfg.PodMaxBackoff})
	s.addHandlers()
	return s
}

// Start runs the informers and the queue's flushes and waits for the
// caches to fill.
func (s *Scheduler) Start(ctx context.Context) error {
	ctx, s.cancel = context.WithCancel(ctx)
	s.broadcast.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: s.client.CoreV1().Events("")})
	s.factory.Start(ctx.Done())
	go s.queue.Run(ctx)
	for typ, ok := range s.factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("scheduler: %v informer did not sync", typ)
		}
	}
	return nil
}

// Stop ends the informers and the event broadcaster, after binds in
// flight finish.
func (s *Scheduler) Stop() {
	if s.cancel != nil {
		s.cancel()
	}
	s.binds.Wait()
	s.factory.Shutdown()
	s.broadcast.Shutdown()
}

// Schedule runs the scheduling loop until ctx ends.
func (s *Scheduler) Schedule(ctx context.Context) {
	s.log.Info("scheduling")
	stop := context.AfterFunc(ctx, s.queue.Wake)
	defer stop()
	for ctx.Err() == nil {
		s.scheduleOne(ctx)
	}
	s.log.Info("stopped scheduling")
}

// responsible says whether one of our profiles owns pod.
func (s *Scheduler) responsible(pod *v1.Pod) bool {
	_, ok := s.profiles[schedulerName(pod)]
	return ok
}

func schedulerName(pod *v1.Pod) string {
	if pod.Spec.SchedulerName == "" {
		return DefaultSchedulerName
	}
	return pod.Spec.SchedulerName
}

// listers are the informers the plugins and handlers read.
type listers struct {
	nodes      cache.SharedIndexInformer
	pods       cache.SharedIndexInformer
	namespaces corev1informers.NamespaceInformer
	claims     corev1informers.PersistentVolumeClaimInformer
	volumes    corev1informers.PersistentVolumeInformer
	classes    storagev1informers.StorageClassInformer
	pdbs       policyv1informers.PodDisruptionBudgetInformer
	spread     *podtopologyspread.Listers
}

func newListers(f informers.SharedInformerFactory) *listers {
	l := &listers{
		nodes: f.Core().V1().Nodes().Informer(),
		pods:  f.Core().V1().Pods().Informer(),
		// Affinity terms may select namespaces by label.
		namespaces: f.Core().V1().Namespaces(),
		claims:     f.Core().V1().PersistentVolumeClaims(),
		volumes:    f.Core().V1().PersistentVolumes(),
		classes:    f.Storage().V1().StorageClasses(),
		pdbs:       f.Policy().V1().PodDisruptionBudgets(),
		spread: &podtopologyspread.Listers{
			Services:               f.Core().V1().Services().Lister(),
			ReplicationControllers: f.Core().V1().ReplicationControllers().Lister(),
			ReplicaSets:            f.Apps().V1().ReplicaSets().Lister(),
			StatefulSets:           f.Apps().V1().StatefulSets().Lister(),
		},
	}
	// A lister alone does not register its informer with the factory.
	l.namespaces.Informer()
	l.claims.Informer()
	l.volumes.Informer()
	l.classes.Informer()
	l.pdbs.Informer()
	f.Core().V1().Services().Informer()
	f.Core().V1().ReplicationControllers().Informer()
	f.Apps().V1().ReplicaSets().Informer()
	f.Apps().V1().StatefulSets().Informer()
	return l
}
