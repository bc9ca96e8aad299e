package kubelet

import (
	"context"
	"fmt"
	"os"
	goruntime "runtime"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	internalapi "k8s.io/cri-api/pkg/apis"
	remote "k8s.io/cri-client/pkg"

	"github.com/hanok-dev/hanok/internal/kubelet/eviction"
	"github.com/hanok-dev/hanok/internal/kubelet/meminfo"
	"github.com/hanok-dev/hanok/internal/kubelet/prober"
	"github.com/hanok-dev/hanok/internal/kubelet/staticpod"
	"github.com/hanok-dev/hanok/internal/kubelet/volume"
)

var log = logrus.WithField("component", "kubelet")

// Kubelet runs the pods bound to one node.
type Kubelet struct {
	cfg         Config
	rt          internalapi.RuntimeService
	img         internalapi.ImageManagerService
	runtimeName string
	cri         *criState
	volumes     *volume.Manager
	probes      *prober.Manager
	evictor     *eviction.Manager
	broadcaster record.EventBroadcaster
	recorder    record.EventRecorder
	crashBack   *backOff
	pullBack    *backOff
	hostDNS     resolvConf
	memCapacity int64
	allocatable v1.ResourceList // stands in for unset limits in resourceFieldRef
	hostIPs     []string
	now         func() time.Time

	podsSynced  cache.InformerSynced
	services    corelisters.ServiceLister // nil until Run: service env vars
	probeStates *probeStates

	mu           sync.Mutex
	apiPods      map[types.UID]*v1.Pod // pods from the API, without mirror pods
	mirrors      map[string]*v1.Pod    // mirror pods by namespace/name
	static       map[types.UID]*v1.Pod // static pods from the manifest folder
	staticSynced bool
	workers      map[types.UID]*podWorker
	terminal     map[types.UID]terminalReason // evicted or past their deadline
	stopping     bool
	workerCtx    context.Context
	workersWG    sync.WaitGroup
}

// New checks the config, connects to the runtime and prepares the managers;
// nothing runs until Run.
func New(cfg Config) (*Kubelet, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	k := &Kubelet{
		cfg: cfg, rt: cfg.Runtime, img: cfg.Images,
		crashBack: newBackOff(), pullBack: newBackOff(), now: time.Now,
		apiPods: map[types.UID]*v1.Pod{}, mirrors: map[string]*v1.Pod{},
		static: map[types.UID]*v1.Pod{}, workers: map[types.UID]*podWorker{},
		terminal: map[types.UID]terminalReason{}, probeStates: newProbeStates(),
	}
	ctx := context.Background()
	if k.rt == nil {
		k.rt, err = remote.NewRemoteRuntimeServiceBuilder().WithEndpoint(cfg.RuntimeEndpoint).
			WithConnectionTimeout(2 * time.Minute).WithTracerProvider(nil).Build(ctx)
		if err != nil {
			return nil, fmt.Errorf("connecting to the container runtime at %s: %w", cfg.RuntimeEndpoint, err)
		}
	}
	if k.img == nil {
		k.img, err = remote.NewRemoteImageServiceBuilder().WithEndpoint(cfg.RuntimeEndpoint).
			WithConnectionTimeout(2 * time.Minute).WithTracerProvider(nil).Build(ctx)
		if err != nil {
			return nil, fmt.Errorf("connecting to the image service at %s: %w", cfg.RuntimeEndpoint, err)
		}
	}
	k.runtimeName = "containerd"
	if v, err := k.rt.Version(ctx, "v1"); err == nil && v.RuntimeName != "" {
		k.runtimeName = v.RuntimeName
	}
	if data, err := os.ReadFile(cfg.ResolvConf); err == nil {
		k.hostDNS = parseResolvConf(string(data))
	}
	k.memCapacity = meminfo.Total()
	k.allocatable = v1.ResourceList{
		v1.ResourceCPU:    *resource.NewQuantity(int64(goruntime.NumCPU()), resource.DecimalSI),
		v1.ResourceMemory: *resource.NewQuantity(k.memCapacity, resource.BinarySI),
	}
	for _, ip := range cfg.NodeIPs {
		k.hostIPs = append(k.hostIPs, ip.String())
	}
	k.cri = newCRIState(k.rt, cfg.PodLogsDir, cfg.RootDir)
	k.volumes = volume.NewManager(volume.Options{RootDir: cfg.RootDir, NodeName: cfg.NodeName, Client: cfg.Client})
	k.probes = prober.NewManager(execAdapter{k.rt})
	if !cfg.DisableEviction {
		var opts []eviction.Option
		if cfg.ImageFsDir != "" {
			opts = append(opts, eviction.WithImageFsDir(cfg.ImageFsDir))
		}
		k.evictor = eviction.NewManager(cfg.Eviction, cfg.RootDir, cfg.CgroupRoot, opts...)
	}
	k.broadcaster = record.NewBroadcaster()
	k.recorder = k.broadcaster.NewRecorder(scheme.Scheme, v1.EventSource{Component: "kubelet", Host: cfg.NodeName})
	return k, nil
}

// Run serves until ctx ends: node status, pod sources, the relist loop and
// the pod workers. Containers keep running when it returns, so a restarted
// kubelet adopts them.
func (k *Kubelet) Run(ctx context.Context) error {
	k.broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: k.cfg.Client.CoreV1().Events("")})
	defer k.broadcaster.Shutdown()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	k.mu.Lock()
	k.workerCtx = ctx
	k.mu.Unlock()

	var wg sync.WaitGroup
	defer wg.Wait()
	if !k.cfg.DisableNodeStatus {
		wg.Add(1)
		go func() { defer wg.Done(); k.runNodeStatus(ctx) }()
	}
	if k.evictor != nil {
		wg.Add(1)
		go func() { defer wg.Done(); k.evictor.Run(ctx, k.activePods, k.evict) }()
	}

	factory := informers.NewSharedInformerFactoryWithOptions(k.cfg.Client, 0,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.FieldSelector = fields.OneTermEqualSelector("spec.nodeName", k.cfg.NodeName).String()
		}))
	podInformer := factory.Core().V1().Pods()
	k.podsSynced = podInformer.Informer().HasSynced
	podInformer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { k.podFromAPI(obj, false) },
		UpdateFunc: func(_, obj any) { k.podFromAPI(obj, false) },
		DeleteFunc: func(obj any) {
			if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = t.Obj
			}
			k.podFromAPI(obj, true)
		},
	})
	factory.Start(ctx.Done())
	// Services feed the docker-link env vars (KUBERNETES_SERVICE_HOST ...).
	svcFactory := informers.NewSharedInformerFactory(k.cfg.Client, 0)
	svcInformer := svcFactory.Core().V1().Services()
	k.mu.Lock()
	k.services = svcInformer.Lister()
	k.mu.Unlock()
	svcFactory.Start(ctx.Done())
	defer svcFactory.Shutdown()

	if k.cfg.StaticPodsDir != "" {
		wg.Add(1)
		go func() { defer wg.Done(); k.runStaticPods(ctx) }()
	} else {
		k.mu.Lock()
		k.staticSynced = true
		k.mu.Unlock()
	}
	wg.Add(3)
	go func() { defer wg.Done(); k.consumeProbeUpdates(ctx) }()
	go func() { defer wg.Done(); k.relistLoop(ctx) }()
	go func() { defer wg.Done(); k.rotateLogsLoop(ctx) }()

	log.WithField("node", k.cfg.NodeName).Info("kubelet started")
	<-ctx.Done()
	k.mu.Lock()
	k.stopping = true
	k.mu.Unlock()
	factory.Shutdown()
	k.workersWG.Wait()
	return nil
}

// podFromAPI records a pod event and wakes its worker.
func (k *Kubelet) podFromAPI(obj any, deleted bool) {
	pod, ok := obj.(*v1.Pod)
	if !ok {
		return
	}
	k.mu.Lock()
	if staticpod.IsMirror(pod) {
		key := pod.Namespace + "/" + pod.Name
		if deleted {
			if m := k.mirrors[key]; m != nil && m.UID == pod.UID {
				delete(k.mirrors, key)
			}
		} else {
			k.mirrors[key] = pod
		}
		k.mu.Unlock()
		return
	}
	if deleted {
		delete(k.apiPods, pod.UID)
	} else {
		k.apiPods[pod.UID] = pod
	}
	if w := k.workers[pod.UID]; w != nil && (deleted || pod.DeletionTimestamp != nil) {
		w.interruptRun()
	}
	k.mu.Unlock()
	k.wake(pod.UID, !deleted)
}

// wake signals a pod's worker, starting one if create is set (or the pod
// needs cleaning up).
func (k *Kubelet) wake(uid types.UID, create bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	w := k.workers[uid]
	if w == nil {
		if !create || k.stopping || k.workerCtx == nil {
			return
		}
		w = newPodWorker(uid)
		k.workers[uid] = w
		k.workersWG.Add(1)
		go k.runWorker(k.workerCtx, w)
	}
	w.signal()
}

// podByUID returns the pod a worker syncs: the API's (non-mirror) or the
// static one; nil when it is gone.
func (k *Kubelet) podByUID(uid types.UID) (pod *v1.Pod, static bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if p := k.apiPods[uid]; p != nil {
		return p, false
	}
	if p := k.static[uid]; p != nil {
		cp := p.DeepCopy()
		if m := k.mirrors[p.Namespace+"/"+p.Name]; m != nil {
			cp.Status = *m.Status.DeepCopy()
		}
		return cp, true
	}
	return nil, false
}

// servicesFor lists the services whose variables a pod's containers get.
func (k *Kubelet) servicesFor(pod *v1.Pod) []envVar {
	k.mu.Lock()
	lister := k.services
	k.mu.Unlock()
	if lister == nil {
		return nil
	}
	list, err := lister.List(labels.Everything())
	if err != nil {
		return nil
	}
	links := pod.Spec.EnableServiceLinks == nil || *pod.Spec.EnableServiceLinks
	return serviceEnv(list, pod.Namespace, links)
}

// sourcesReady reports whether every pod source has delivered its first full
// set: before that, a runtime pod without a known pod is not an orphan yet.
func (k *Kubelet) sourcesReady() bool {
	k.mu.Lock()
	synced := k.staticSynced
	k.mu.Unlock()
	return synced && k.podsSynced != nil && k.podsSynced()
}

// activePods are the pods the kubelet runs that have not finished.
func (k *Kubelet) activePods() []*v1.Pod {
	var out []*v1.Pod
	for _, p := range k.Pods() {
		if k.terminalFor(p.UID) != nil {
			continue
		}
		if p.Status.Phase != v1.PodSucceeded && p.Status.Phase != v1.PodFailed && p.DeletionTimestamp == nil {
			out = append(out, p)
		}
	}
	return out
}

// evict is the eviction manager's callback: the pod fails with reason
// Evicted and its containers are killed.
func (k *Kubelet) evict(pod *v1.Pod, message string) {
	k.mu.Lock()
	k.terminal[pod.UID] = terminalReason{Reason: "Evicted", Message: message}
	k.mu.Unlock()
	k.recorder.Event(pod, v1.EventTypeWarning, "Evicted", message)
	k.wake(pod.UID, false)
}

// terminalFor returns the forced terminal reason of a pod, if any.
func (k *Kubelet) terminalFor(uid types.UID) *terminalReason {
	k.mu.Lock()
	defer k.mu.Unlock()
	if r, ok := k.terminal[uid]; ok {
		return &r
	}
	return nil
}

func (k *Kubelet) setTerminal(uid types.UID, r terminalReason) {
	k.mu.Lock()
	k.terminal[uid] = r
	k.mu.Unlock()
}
