package volume

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

var log = logrus.WithField("component", "kubelet-volume")

// Options configures a Manager.
type Options struct {
	RootDir  string               // pods at RootDir/pods/<uid>/volumes/<plugin>/<name>
	NodeName string               // this node (allocatable for resourceFieldRef defaults)
	Client   kubernetes.Interface // node identity: configmaps, secrets, PVCs, PVs, serviceaccounts/token
}

// Mounted maps a pod's volume names to their host side.
type Mounted map[string]Volume

// Volume is one prepared volume on the host. ReadOnly is forced on the
// container side (API-data volumes, read-only claims).
type Volume struct {
	HostPath string
	ReadOnly bool
}

// Folder names of the volume plugins, as upstream lays them out.
const (
	pluginEmptyDir    = "kubernetes.io~empty-dir"
	pluginConfigMap   = "kubernetes.io~configmap"
	pluginSecret      = "kubernetes.io~secret"
	pluginDownwardAPI = "kubernetes.io~downward-api"
	pluginProjected   = "kubernetes.io~projected"
)

// Manager prepares and tears down pods' volumes. It is safe for concurrent
// use; calls for one pod are serialised.
type Manager struct {
	o      Options
	now    func() time.Time
	tokens *tokenCache
	nodes  *allocatableCache

	mu       sync.Mutex
	podLocks map[types.UID]*sync.Mutex
	// tmpfsDenied is set once mounting a tmpfs failed for lack of
	// privilege; secret and projected volumes then live on disk.
	tmpfsDenied bool
}

// NewManager returns a Manager.
func NewManager(o Options) *Manager {
	m := &Manager{o: o, now: time.Now, podLocks: map[types.UID]*sync.Mutex{}}
	m.tokens = newTokenCache(o.Client, func() time.Time { return m.now() })
	m.nodes = &allocatableCache{client: o.Client, node: o.NodeName}
	return m
}

// PodDir is the pod's folder, RootDir/pods/<uid>.
func (m *Manager) PodDir(uid types.UID) string {
	return filepath.Join(m.o.RootDir, "pods", string(uid))
}

func (m *Manager) volumeDir(uid types.UID, plugin, name string) string {
	return filepath.Join(m.PodDir(uid), "volumes", plugin, name)
}

func (m *Manager) lockPod(uid types.UID) func() {
	m.mu.Lock()
	l, ok := m.podLocks[uid]
	if !ok {
		l = &sync.Mutex{}
		m.podLocks[uid] = l
	}
	m.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// Mount prepares every volume of the pod; idempotent; re-running it
// refreshes configMap/secret/downwardAPI/projected contents atomically
// (..data symlink swap, as upstream's AtomicWriter) and renews
// service-account tokens past 80% of their life. Volumes that fail are
// named in the error (one line per volume, in upstream's "MountVolume.SetUp
// failed for volume" form); the others are still prepared. A failing
// volume is left out of the result, except an API-data volume that an
// earlier Mount prepared: it stays, with its previous content, so a
// running pod can go on (upstream keeps such volumes too when a refresh
// fails, e.g. the configMap was deleted).
func (m *Manager) Mount(ctx context.Context, pod *v1.Pod) (Mounted, error) {
	defer m.lockPod(pod.UID)()
	// The pod folder is closed to other host users: secrets live below it,
	// and containers see only their bind-mounted volumes.
	if err := os.MkdirAll(filepath.Join(m.PodDir(pod.UID), "volumes"), 0o750); err != nil {
		return nil, err
	}
	out := Mounted{}
	var errs []error
	for i := range pod.Spec.Volumes {
		vol := &pod.Spec.Volumes[i]
		v, err := m.mountOne(ctx, pod, vol)
		if err != nil {
			errs = append(errs, fmt.Errorf("MountVolume.SetUp failed for volume %q : %w", vol.Name, err))
			if stale, ok := m.preparedBefore(pod.UID, vol); ok {
				out[vol.Name] = stale
			}
			continue
		}
		out[vol.Name] = v
	}
	return out, errors.Join(errs...)
}

func (m *Manager) mountOne(ctx context.Context, pod *v1.Pod, vol *v1.Volume) (Volume, error) {
	src := &vol.VolumeSource
	switch {
	case src.EmptyDir != nil:
		return m.setupEmptyDir(pod, vol.Name, src.EmptyDir)
	case src.HostPath != nil:
		t := v1.HostPathUnset
		if src.HostPath.Type != nil {
			t = *src.HostPath.Type
		}
		if err := checkHostPath(src.HostPath.Path, t); err != nil {
			return Volume{}, err
		}
		return Volume{HostPath: src.HostPath.Path}, nil
	case src.ConfigMap != nil:
		return m.setupAPIData(ctx, pod, vol.Name, pluginConfigMap, false, func() (map[string]FileProjection, error) {
			return m.configMapFiles(ctx, pod, src.ConfigMap.Name, src.ConfigMap.Items, modeOr(src.ConfigMap.DefaultMode, defaultFileMode), src.ConfigMap.Optional)
		})
	case src.Secret != nil:
		return m.setupAPIData(ctx, pod, vol.Name, pluginSecret, true, func() (map[string]FileProjection, error) {
			return m.secretFiles(ctx, pod, src.Secret.SecretName, src.Secret.Items, modeOr(src.Secret.DefaultMode, defaultFileMode), src.Secret.Optional)
		})
	case src.DownwardAPI != nil:
		return m.setupAPIData(ctx, pod, vol.Name, pluginDownwardAPI, false, func() (map[string]FileProjection, error) {
			return m.downwardFiles(ctx, pod, src.DownwardAPI.Items, modeOr(src.DownwardAPI.DefaultMode, defaultFileMode))
		})
	case src.Projected != nil:
		return m.setupAPIData(ctx, pod, vol.Name, pluginProjected, true, func() (map[string]FileProjection, error) {
			return m.projectedFiles(ctx, pod, src.Projected)
		})
	case src.PersistentVolumeClaim != nil:
		return m.claimVolume(ctx, pod, src.PersistentVolumeClaim.ClaimName, src.PersistentVolumeClaim.ReadOnly)
	case src.Ephemeral != nil:
		// A generic ephemeral volume is a claim named <pod>-<volume>,
		// made by the ephemeral-volume controller.
		return m.ephemeralVolume(ctx, pod, vol.Name)
	}
	return Volume{}, fmt.Errorf("unsupported volume type (hanok supports emptyDir, hostPath, configMap, secret, downwardAPI, projected, persistentVolumeClaim and ephemeral with hostPath or local volumes)")
}

// preparedBefore is the volume as an earlier Mount left it, for API-data
// volumes whose content is already in place.
func (m *Manager) preparedBefore(uid types.UID, vol *v1.Volume) (Volume, bool) {
	var plugin string
	switch {
	case vol.ConfigMap != nil:
		plugin = pluginConfigMap
	case vol.Secret != nil:
		plugin = pluginSecret
	case vol.DownwardAPI != nil:
		plugin = pluginDownwardAPI
	case vol.Projected != nil:
		plugin = pluginProjected
	default:
		return Volume{}, false
	}
	dir := m.volumeDir(uid, plugin, vol.Name)
	if _, err := os.Stat(filepath.Join(dir, dataDirName)); err != nil {
		return Volume{}, false
	}
	return Volume{HostPath: dir, ReadOnly: true}, true
}

// Unmount unmounts everything mounted below the pod's folder (tmpfs
// volumes) and removes the folder.
func (m *Manager) Unmount(ctx context.Context, podUID types.UID) error {
	unlock := m.lockPod(podUID)
	defer func() {
		unlock()
		m.mu.Lock()
		delete(m.podLocks, podUID)
		m.mu.Unlock()
	}()
	m.tokens.forget(podUID)
	dir := m.PodDir(podUID)
	if _, err := os.Lstat(dir); os.IsNotExist(err) {
		return nil
	}
	mps, err := mountPointsUnder(dir)
	if err != nil {
		return err
	}
	for _, mp := range mps {
		if err := unmount(mp); err != nil {
			return err
		}
	}
	// Never delete through a mount that is still there.
	if mps, err := mountPointsUnder(dir); err != nil || len(mps) > 0 {
		return fmt.Errorf("pod folder %s still has mounts %v (%v); not removing it", dir, mps, err)
	}
	return os.RemoveAll(dir)
}
