package volume

import (
	"context"
	"fmt"
	"os"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// setupAPIData prepares a volume whose files come from API objects
// (configMap, secret, downwardAPI, projected): build the payload, write it
// atomically, hand it to the fsGroup. Secret-bearing volumes sit on a tmpfs,
// as upstream, so secrets never touch the disk (unless mounting is denied).
// The container always sees these volumes read-only.
func (m *Manager) setupAPIData(ctx context.Context, pod *v1.Pod, name, plugin string, inMemory bool, payload func() (map[string]FileProjection, error)) (Volume, error) {
	files, err := payload()
	if err != nil {
		return Volume{}, err
	}
	dir := m.volumeDir(pod.UID, plugin, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Volume{}, err
	}
	if inMemory {
		if err := m.ensureTmpfs(dir); err != nil {
			return Volume{}, err
		}
	}
	fsGroup, policy := podFSGroup(pod)
	perms := func(tsDir string) error { return setOwnership(tsDir, fsGroup, policy, true) }
	changed, err := writeAtomic(dir, files, perms)
	if err != nil {
		return Volume{}, fmt.Errorf("writing %s: %w", dir, err)
	}
	if changed {
		// The root and the links too (the new folder was done above).
		if err := setOwnership(dir, fsGroup, nil, true); err != nil {
			return Volume{}, err
		}
	}
	return Volume{HostPath: dir, ReadOnly: true}, nil
}

// ensureTmpfs mounts a tmpfs on dir unless one is there. Without the
// privilege to mount, it warns once and leaves dir on disk (inside the
// pod's 0750 folder).
func (m *Manager) ensureTmpfs(dir string) error {
	m.mu.Lock()
	denied := m.tmpfsDenied
	m.mu.Unlock()
	if denied {
		return nil
	}
	mounted, err := isMountPoint(dir)
	if err != nil || mounted {
		return err
	}
	err = mountTmpfs(dir, 0, 0o755)
	if err != nil && isPermission(err) {
		m.mu.Lock()
		m.tmpfsDenied = true
		m.mu.Unlock()
		log.WithError(err).Warn("cannot mount tmpfs; secret and projected volumes are kept on disk")
		return nil
	}
	return err
}

func (m *Manager) getConfigMap(ctx context.Context, ns, name string) (*v1.ConfigMap, error) {
	if m.o.Client == nil {
		return nil, fmt.Errorf("no API client to read configmap %q", ns+"/"+name)
	}
	cm, err := m.o.Client.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	return cm, err
}

func (m *Manager) getSecret(ctx context.Context, ns, name string) (*v1.Secret, error) {
	if m.o.Client == nil {
		return nil, fmt.Errorf("no API client to read secret %q", ns+"/"+name)
	}
	s, err := m.o.Client.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	return s, err
}

func (m *Manager) configMapFiles(ctx context.Context, pod *v1.Pod, name string, items []v1.KeyToPath, mode int32, optional *bool) (map[string]FileProjection, error) {
	cm, err := m.getConfigMap(ctx, pod.Namespace, name)
	if err != nil {
		return nil, err
	}
	return configMapPayload(pod.Namespace, name, cm, items, mode, optional != nil && *optional)
}

func (m *Manager) secretFiles(ctx context.Context, pod *v1.Pod, name string, items []v1.KeyToPath, mode int32, optional *bool) (map[string]FileProjection, error) {
	s, err := m.getSecret(ctx, pod.Namespace, name)
	if err != nil {
		return nil, err
	}
	return secretPayload(pod.Namespace, name, s, items, mode, optional != nil && *optional)
}

func (m *Manager) downwardFiles(ctx context.Context, pod *v1.Pod, items []v1.DownwardAPIVolumeFile, mode int32) (map[string]FileProjection, error) {
	var alloc v1.ResourceList
	if needsAllocatable(pod, items) {
		var err error
		if alloc, err = m.nodes.get(ctx); err != nil {
			return nil, err
		}
	}
	return downwardPayload(pod, items, mode, alloc)
}

// projectedFiles merges the projection's sources into one payload.
func (m *Manager) projectedFiles(ctx context.Context, pod *v1.Pod, src *v1.ProjectedVolumeSource) (map[string]FileProjection, error) {
	mode := modeOr(src.DefaultMode, defaultFileMode)
	out := map[string]FileProjection{}
	for i, s := range src.Sources {
		var files map[string]FileProjection
		var err error
		switch {
		case s.ConfigMap != nil:
			files, err = m.configMapFiles(ctx, pod, s.ConfigMap.Name, s.ConfigMap.Items, mode, s.ConfigMap.Optional)
		case s.Secret != nil:
			files, err = m.secretFiles(ctx, pod, s.Secret.Name, s.Secret.Items, mode, s.Secret.Optional)
		case s.DownwardAPI != nil:
			files, err = m.downwardFiles(ctx, pod, s.DownwardAPI.Items, mode)
		case s.ServiceAccountToken != nil:
			files, err = m.tokenFiles(ctx, pod, s.ServiceAccountToken, mode)
		case s.ClusterTrustBundle != nil:
			if s.ClusterTrustBundle.Optional != nil && *s.ClusterTrustBundle.Optional {
				continue
			}
			err = fmt.Errorf("clusterTrustBundle projections are not supported")
		case s.PodCertificate != nil:
			err = fmt.Errorf("podCertificate projections are not supported")
		default:
			err = fmt.Errorf("empty projection source")
		}
		if err != nil {
			return nil, fmt.Errorf("projected source %d: %w", i, err)
		}
		for p, f := range files {
			out[p] = f
		}
	}
	return out, nil
}

// tokenFiles is a service-account token projection. As upstream, when the
// pod has an fsGroup or all its containers run as one user, the token file
// is 0600 (owned by that user; the fsGroup mask then lets the group read).
func (m *Manager) tokenFiles(ctx context.Context, pod *v1.Pod, src *v1.ServiceAccountTokenProjection, mode int32) (map[string]FileProjection, error) {
	tok, err := m.tokens.get(ctx, pod, src)
	if err != nil {
		return nil, err
	}
	fsUser := podFsUser(pod)
	fsGroup, _ := podFSGroup(pod)
	if fsUser != nil || fsGroup != nil {
		mode = 0o600
	}
	return map[string]FileProjection{src.Path: {Data: []byte(tok), Mode: mode, FsUser: fsUser}}, nil
}
