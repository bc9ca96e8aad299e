package volumebinding

import (
	"context"
	"sync"

	"github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	storagelisters "k8s.io/client-go/listers/storage/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"

	"github.com/hanok-dev/hanok/internal/controller"
)

// Name is upstream's controller name; its events come from
// "persistentvolume-controller" and it runs as persistent-volume-binder.
const Name = "persistentvolume-binder"

// Controller binds claims to volumes and releases volumes.
type Controller struct {
	client   kubernetes.Interface
	claims   corelisters.PersistentVolumeClaimLister
	volumes  corelisters.PersistentVolumeLister
	classes  storagelisters.StorageClassLister
	nodes    corelisters.NodeLister
	recorder record.EventRecorder
	synced   []cache.InformerSynced
	// claimLoop syncs claims (namespace/name), volumeLoop volumes (name).
	claimLoop, volumeLoop *controller.Loop
	events                *onceEvents
	log                   *logrus.Entry
}

// New builds the binder on c's informers.
func New(c controller.Context) (*Controller, error) {
	claims := c.Informers.Core().V1().PersistentVolumeClaims()
	volumes := c.Informers.Core().V1().PersistentVolumes()
	classes := c.Informers.Storage().V1().StorageClasses()
	nodes := c.Informers.Core().V1().Nodes()
	pc := &Controller{
		client:   c.Client,
		claims:   claims.Lister(),
		volumes:  volumes.Lister(),
		classes:  classes.Lister(),
		nodes:    nodes.Lister(),
		recorder: c.Recorder,
		synced: []cache.InformerSynced{claims.Informer().HasSynced, volumes.Informer().HasSynced,
			classes.Informer().HasSynced, nodes.Informer().HasSynced},
		events: &onceEvents{last: map[string]string{}},
		log:    logrus.WithField("component", Name),
	}
	pc.claimLoop = controller.NewLoop(Name+"-claims", pc.syncClaim)
	pc.volumeLoop = controller.NewLoop(Name+"-volumes", pc.syncVolume)
	_, _ = claims.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    pc.claimChanged,
		UpdateFunc: func(_, obj any) { pc.claimChanged(obj) },
		DeleteFunc: pc.claimChanged,
	})
	_, _ = volumes.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    pc.volumeChanged,
		UpdateFunc: func(_, obj any) { pc.volumeChanged(obj) },
		DeleteFunc: pc.volumeChanged,
	})
	// A class appearing (or changing its binding mode or provisioner)
	// can unblock pending claims; so can a node's labels, for claims
	// waiting on node-local volumes.
	_, _ = classes.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { pc.wakePending() },
		UpdateFunc: func(_, _ any) { pc.wakePending() },
	})
	_, _ = nodes.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { pc.wakeSelectedNode(obj) },
		UpdateFunc: func(old, cur any) {
			o, ok1 := old.(*corev1.Node)
			n, ok2 := cur.(*corev1.Node)
			if ok1 && ok2 && !labels.Equals(o.Labels, n.Labels) {
				pc.wakeSelectedNode(cur)
			}
		},
	})
	return pc, nil
}

// Run implements controller.Controller: the claim and volume loops side
// by side.
func (pc *Controller) Run(ctx context.Context, workers int) {
	var wg sync.WaitGroup
	wg.Go(func() { pc.claimLoop.Run(ctx, workers, pc.synced...) })
	wg.Go(func() { pc.volumeLoop.Run(ctx, workers, pc.synced...) })
	wg.Wait()
}

func (pc *Controller) claimChanged(obj any) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	claim, ok := obj.(*corev1.PersistentVolumeClaim)
	if !ok {
		return
	}
	pc.claimLoop.Add(claim)
	// The claim's volume follows it (a deleted claim releases it).
	if claim.Spec.VolumeName != "" {
		pc.volumeLoop.Queue.Add(claim.Spec.VolumeName)
	}
}

func (pc *Controller) volumeChanged(obj any) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	volume, ok := obj.(*corev1.PersistentVolume)
	if !ok {
		return
	}
	pc.volumeLoop.Add(volume)
	if ref := volume.Spec.ClaimRef; ref != nil {
		pc.claimLoop.Queue.Add(ref.Namespace + "/" + ref.Name)
	}
	// A volume free to take (or gone from a claim that counted on it)
	// can change any pending claim's match.
	if volume.Spec.ClaimRef == nil || volume.Spec.ClaimRef.UID == "" {
		pc.wakePending()
	}
}

// wakePending enqueues every claim whose binding is not complete,
// including claims that name a volume which may just have appeared.
func (pc *Controller) wakePending() {
	claims, err := pc.claims.List(labels.Everything())
	if err != nil {
		return
	}
	for _, cl := range claims {
		if _, done := cl.Annotations[AnnBindCompleted]; !done && cl.DeletionTimestamp == nil {
			pc.claimLoop.Queue.Add(cl.Namespace + "/" + cl.Name)
		}
	}
}

// wakeSelectedNode enqueues the unbound claims waiting on node.
func (pc *Controller) wakeSelectedNode(obj any) {
	node, ok := obj.(*corev1.Node)
	if !ok {
		return
	}
	claims, err := pc.claims.List(labels.Everything())
	if err != nil {
		return
	}
	for _, cl := range claims {
		if cl.Spec.VolumeName == "" && cl.Annotations[AnnSelectedNode] == node.Name {
			pc.claimLoop.Queue.Add(cl.Namespace + "/" + cl.Name)
		}
	}
}

// classOf is claim's StorageClass, nil when it names none or one that
// does not exist.
func (pc *Controller) classOf(claim *corev1.PersistentVolumeClaim) *storagev1.StorageClass {
	name := ClaimClass(claim)
	if name == "" {
		return nil
	}
	class, err := pc.classes.Get(name)
	if err != nil {
		return nil
	}
	return class
}

// delayed says whether claim's class binds on first consumer.
func delayed(class *storagev1.StorageClass) bool {
	return class != nil && class.VolumeBindingMode != nil && *class.VolumeBindingMode == storagev1.VolumeBindingWaitForFirstConsumer
}
