package prober

import (
	"sync"
	"time"

	"github.com/sirupsen/logrus"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

var log = logrus.WithField("component", "kubelet-prober")

// Manager runs one worker per (pod, container, kind) for the probes of
// running containers and keeps their current results.
type Manager struct {
	rt      Runtime
	updates chan Update
	// second is how long a probe "second" lasts (periods, initial delays);
	// tests shrink it. Probe timeouts stay real seconds.
	second time.Duration

	mu   sync.Mutex
	pods map[types.UID]*podProbes
}

// podProbes is what the manager knows of one pod: its latest spec and
// status (for the pod IP and the probes) and its workers.
type podProbes struct {
	pod     *v1.Pod
	workers map[workerKey]*worker
}

type workerKey struct {
	container string
	kind      Kind
}

// NewManager returns a Manager.
func NewManager(rt Runtime) *Manager {
	return &Manager{rt: rt, updates: make(chan Update, 256), second: time.Second, pods: map[types.UID]*podProbes{}}
}

// Sync starts/stops workers so exactly the running containers of the pod
// (by ID) have their probes running, honouring initialDelaySeconds,
// periodSeconds, timeoutSeconds, success/failureThreshold, and startup
// gating liveness/readiness. running maps container names (app containers
// and restartable init containers) to the running instance. A container
// whose ID changed gets fresh workers with fresh results. Call it whenever
// the pod or its containers change; it also refreshes the pod the probes
// read their IP from.
func (m *Manager) Sync(pod *v1.Pod, running map[string]ContainerInfo) {
	// Workers read the pod (its IP, their container) while the caller goes
	// on with its own copy.
	pod = pod.DeepCopy()
	m.mu.Lock()
	defer m.mu.Unlock()
	pp := m.pods[pod.UID]
	if pp == nil {
		pp = &podProbes{workers: map[workerKey]*worker{}}
		m.pods[pod.UID] = pp
	}
	pp.pod = pod

	want := map[workerKey]*v1.Container{}
	for _, c := range probedContainers(pod) {
		if _, ok := running[c.Name]; !ok {
			continue
		}
		for _, k := range []Kind{Startup, Liveness, Readiness} {
			if probeOf(c, k) != nil {
				want[workerKey{c.Name, k}] = c
			}
		}
	}
	for key, w := range pp.workers {
		// Probes are immutable in a pod's spec, so a worker is stale only
		// when its container went away or was replaced.
		if _, ok := want[key]; !ok || running[key.container].ID != w.containerID {
			w.stopOnce()
			delete(pp.workers, key)
		}
	}
	for key, c := range want {
		if _, ok := pp.workers[key]; ok {
			continue
		}
		info := running[key.container]
		w := newWorker(m, pod.UID, c, key.kind, info)
		pp.workers[key] = w
		go w.run()
	}
}

// RemovePod stops all workers of a pod and forgets it.
func (m *Manager) RemovePod(uid types.UID) {
	m.mu.Lock()
	defer m.mu.Unlock()
	pp := m.pods[uid]
	if pp == nil {
		return
	}
	for _, w := range pp.workers {
		w.stopOnce()
	}
	delete(m.pods, uid)
}

// Updates returns result changes. Read it continuously: workers wait for
// room in the channel.
func (m *Manager) Updates() <-chan Update { return m.updates }

// Result is a container's current result for a kind:
//   - with a running probe worker: its result (Readiness starts as Failure,
//     Liveness as Success, Startup as Unknown until it succeeds);
//   - a probe but no worker (container not running): Readiness Failure,
//     Liveness Success, Startup Unknown;
//   - no probe: Liveness and Startup Success; Readiness Success once the
//     container has started (its startup probe, if any, succeeded). The
//     kubelet still combines readiness with the container running;
//   - an unknown pod or container: Readiness Failure, the others Success.
func (m *Manager) Result(uid types.UID, container string, k Kind) Result {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.resultLocked(uid, container, k)
}

func (m *Manager) resultLocked(uid types.UID, container string, k Kind) Result {
	pp := m.pods[uid]
	if pp == nil {
		return defaultWithoutPod(k)
	}
	if w := pp.workers[workerKey{container, k}]; w != nil {
		return w.result
	}
	c := findContainer(pp.pod, container)
	if c == nil {
		return defaultWithoutPod(k)
	}
	if probeOf(c, k) != nil {
		switch k {
		case Readiness:
			return Failure
		case Startup:
			return Unknown
		}
		return Success
	}
	if k == Readiness && probeOf(c, Startup) != nil {
		if m.resultLocked(uid, container, Startup) == Success {
			return Success
		}
		return Failure
	}
	return Success
}

func defaultWithoutPod(k Kind) Result {
	if k == Readiness {
		return Failure
	}
	return Success
}

// started reports whether the container's startup probe (if any) has
// succeeded; liveness and readiness wait for it.
func (m *Manager) started(uid types.UID, c *v1.Container) bool {
	if c.StartupProbe == nil {
		return true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.resultLocked(uid, c.Name, Startup) == Success
}

// currentPod is the latest pod given to Sync (nil once removed).
func (m *Manager) currentPod(uid types.UID) *v1.Pod {
	m.mu.Lock()
	defer m.mu.Unlock()
	if pp := m.pods[uid]; pp != nil {
		return pp.pod
	}
	return nil
}

// probedContainers are the containers that may have probes: app containers
// and restartable (sidecar) init containers.
func probedContainers(pod *v1.Pod) []*v1.Container {
	var out []*v1.Container
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		if c.RestartPolicy != nil && *c.RestartPolicy == v1.ContainerRestartPolicyAlways {
			out = append(out, c)
		}
	}
	for i := range pod.Spec.Containers {
		out = append(out, &pod.Spec.Containers[i])
	}
	return out
}

func findContainer(pod *v1.Pod, name string) *v1.Container {
	for _, c := range probedContainers(pod) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func probeOf(c *v1.Container, k Kind) *v1.Probe {
	switch k {
	case Liveness:
		return c.LivenessProbe
	case Readiness:
		return c.ReadinessProbe
	case Startup:
		return c.StartupProbe
	}
	return nil
}
