package controllertest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// Kubelet is a fake kubelet for the nodes it names, in one namespace.
type Kubelet struct {
	Client    kubernetes.Interface
	Namespace string
	Nodes     []string
	// Schedule binds pods with no node to Nodes, round robin, standing in
	// for the scheduler.
	Schedule bool
	// Outcome decides what a Pending pod on one of Nodes becomes: Running
	// (and Ready), Succeeded or Failed. Nil: Running.
	Outcome func(*corev1.Pod) corev1.PodPhase
	// Ready decides whether a pod it turns Running is Ready. Nil: yes.
	Ready func(*corev1.Pod) bool
	// NodeLabels are put on every node it creates (tests sharing a
	// server select their own nodes by them).
	NodeLabels map[string]string

	mu     sync.Mutex
	nextIP int
	next   int
	queue  workqueue.TypedRateLimitingInterface[string]
	pods   cache.Indexer
}

// StartKubelet creates Nodes (Ready) and runs k until the test ends.
func StartKubelet(t testing.TB, k *Kubelet) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	for _, name := range k.Nodes {
		if err := ensureNode(ctx, k.Client, name, k.NodeLabels); err != nil {
			t.Fatalf("fake kubelet: node %s: %v", name, err)
		}
		t.Cleanup(func() {
			_ = k.Client.CoreV1().Nodes().Delete(context.Background(), name, metav1.DeleteOptions{})
		})
	}
	factory := informers.NewSharedInformerFactoryWithOptions(k.Client, 0, informers.WithNamespace(k.Namespace))
	inf := factory.Core().V1().Pods().Informer()
	k.pods = inf.GetIndexer()
	k.queue = workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]())
	add := func(obj any) {
		if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
			k.queue.Add(key)
		}
	}
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: add, UpdateFunc: func(_, o any) { add(o) }})
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k.work(ctx) {
			}
		}()
	}
	t.Cleanup(func() {
		cancel()
		k.queue.ShutDown()
		wg.Wait()
		factory.Shutdown()
	})
}

// AddNode creates one more Ready node (with NodeLabels) and plays its
// kubelet too; it is deleted when the test ends.
func (k *Kubelet) AddNode(t testing.TB, name string) {
	t.Helper()
	if err := ensureNode(context.Background(), k.Client, name, k.NodeLabels); err != nil {
		t.Fatalf("fake kubelet: node %s: %v", name, err)
	}
	t.Cleanup(func() { _ = k.Client.CoreV1().Nodes().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	k.mu.Lock()
	k.Nodes = append(k.Nodes, name)
	k.mu.Unlock()
	for _, obj := range k.pods.List() { // pods that waited for this node
		if key, err := cache.MetaNamespaceKeyFunc(obj); err == nil {
			k.queue.Add(key)
		}
	}
}

func (k *Kubelet) work(ctx context.Context) bool {
	key, quit := k.queue.Get()
	if quit {
		return false
	}
	defer k.queue.Done(key)
	if err := k.sync(ctx, key); err != nil && ctx.Err() == nil {
		k.queue.AddRateLimited(key)
		return true
	}
	k.queue.Forget(key)
	return true
}

func (k *Kubelet) ownsNode(name string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, n := range k.Nodes {
		if n == name {
			return true
		}
	}
	return false
}

func (k *Kubelet) sync(ctx context.Context, key string) error {
	obj, exists, err := k.pods.GetByKey(key)
	if err != nil || !exists {
		return err
	}
	pod := obj.(*corev1.Pod)
	switch {
	case pod.Spec.NodeName == "" && pod.DeletionTimestamp == nil:
		if !k.Schedule {
			return nil
		}
		node := requiredNodeName(pod)
		if node == "" {
			k.mu.Lock()
			if len(k.Nodes) == 0 {
				k.mu.Unlock()
				return nil
			}
			node = k.Nodes[k.next%len(k.Nodes)]
			k.next++
			k.mu.Unlock()
		} else if !k.ownsNode(node) {
			return nil // meant for a node this kubelet does not play (yet)
		}
		err := k.Client.CoreV1().Pods(pod.Namespace).Bind(ctx, &corev1.Binding{
			ObjectMeta: metav1.ObjectMeta{Name: pod.Name, UID: pod.UID},
			Target:     corev1.ObjectReference{Kind: "Node", Name: node},
		}, metav1.CreateOptions{})
		if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			return nil
		}
		return err
	case !k.ownsNode(pod.Spec.NodeName):
		return nil
	case pod.DeletionTimestamp != nil:
		zero := int64(0)
		err := k.Client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
			GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &pod.UID}})
		if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			return nil
		}
		return err
	case pod.Status.Phase == "" || pod.Status.Phase == corev1.PodPending:
		phase := corev1.PodRunning
		if k.Outcome != nil {
			phase = k.Outcome(pod)
		}
		pod = pod.DeepCopy()
		k.mu.Lock()
		k.nextIP++
		ip := fmt.Sprintf("10.%d.%d.%d", 200+k.nextIP/65536%50, k.nextIP/256%256, k.nextIP%256)
		k.mu.Unlock()
		ready := phase == corev1.PodRunning && (k.Ready == nil || k.Ready(pod))
		setRunning(pod, ip, phase, ready)
		_, err := k.Client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, pod, metav1.UpdateOptions{})
		if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			return nil // a newer version is on its way through the informer
		}
		return err
	}
	return nil
}

// setRunning fills pod's status as a kubelet would once its containers
// run (phase Running, Ready) or ended (Succeeded, Failed).
func setRunning(pod *corev1.Pod, ip string, phase corev1.PodPhase, isReady bool) {
	now := metav1.Now()
	ready := corev1.ConditionFalse
	if isReady {
		ready = corev1.ConditionTrue
	}
	pod.Status.Phase = phase
	pod.Status.PodIP = ip
	pod.Status.PodIPs = []corev1.PodIP{{IP: ip}}
	pod.Status.HostIP = "127.0.0.1"
	pod.Status.StartTime = &now
	pod.Status.Conditions = []corev1.PodCondition{
		{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: now},
		{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: now},
		{Type: corev1.ContainersReady, Status: ready, LastTransitionTime: now},
		{Type: corev1.PodReady, Status: ready, LastTransitionTime: now},
	}
	pod.Status.ContainerStatuses = nil
	for _, c := range pod.Spec.Containers {
		st := corev1.ContainerStatus{Name: c.Name, Image: c.Image, ImageID: c.Image, Ready: isReady}
		switch phase {
		case corev1.PodRunning:
			st.State.Running = &corev1.ContainerStateRunning{StartedAt: now}
			st.Started = ptrTo(true)
		default:
			code := int32(0)
			reason := "Completed"
			if phase == corev1.PodFailed {
				code, reason = 1, "Error"
			}
			st.State.Terminated = &corev1.ContainerStateTerminated{ExitCode: code, Reason: reason, StartedAt: now, FinishedAt: now}
			st.Started = ptrTo(false)
		}
		pod.Status.ContainerStatuses = append(pod.Status.ContainerStatuses, st)
	}
}

func ptrTo[T any](v T) *T { return &v }

// SetReady flips a Running pod's Ready condition, as a readiness probe
// would.
func SetReady(ctx context.Context, client kubernetes.Interface, ns, name string, ready bool) error {
	pod, err := client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	now := metav1.Now()
	for i := range pod.Status.Conditions {
		c := &pod.Status.Conditions[i]
		if c.Type == corev1.PodReady || c.Type == corev1.ContainersReady {
			if c.Status != status {
				c.Status, c.LastTransitionTime = status, now
			}
		}
	}
	for i := range pod.Status.ContainerStatuses {
		pod.Status.ContainerStatuses[i].Ready = ready
	}
	_, err = client.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{})
	return err
}

// requiredNodeName is the node a pod's required node affinity pins it
// to by name (daemon pods), or "".
func requiredNodeName(pod *corev1.Pod) string {
	a := pod.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return ""
	}
	for _, term := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, f := range term.MatchFields {
			if f.Key == "metadata.name" && f.Operator == corev1.NodeSelectorOpIn && len(f.Values) == 1 {
				return f.Values[0]
			}
		}
	}
	return ""
}

// ensureNode creates a Ready node named name unless it exists.
func ensureNode(ctx context.Context, client kubernetes.Interface, name string, extra map[string]string) error {
	labels := map[string]string{corev1.LabelHostname: name}
	for k, v := range extra {
		labels[k] = v
	}
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	created, err := client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	if err != nil {
		return err
	}
	now := metav1.Now()
	created.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue,
		Reason: "KubeletReady", LastHeartbeatTime: now, LastTransitionTime: now}}
	created.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "127.0.0.1"}}
	_, err = client.CoreV1().Nodes().UpdateStatus(ctx, created, metav1.UpdateOptions{})
	return err
}

// EnsureDefaultServiceAccount creates the ServiceAccount default in ns,
// which the ServiceAccount admission plugin wants before any pod.
func EnsureDefaultServiceAccount(t testing.TB, client kubernetes.Interface, ns string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := client.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("creating serviceaccount default in %s: %v", ns, err)
	}
}
