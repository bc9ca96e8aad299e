package volume

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/hanok-dev/hanok/internal/testserver"
)

const testNode = "n1"

// mountEventually retries Mount while the Node authorizer has not yet seen
// the new pod (its per-node snapshot is rebuilt on pod events).
func mountEventually(t *testing.T, ctx context.Context, m *Manager, pod *v1.Pod) Mounted {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := m.Mount(ctx, pod)
		if err == nil {
			return got
		}
		if !strings.Contains(err.Error(), "forbidden") || time.Now().After(deadline) {
			t.Fatalf("Mount: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func createPod(t *testing.T, ctx context.Context, admin kubernetes.Interface, pod *v1.Pod) *v1.Pod {
	t.Helper()
	// The ServiceAccount admission plugin adds a kube-api-access volume that
	// projects kube-root-ca.crt; play the root-CA publisher.
	if _, err := admin.CoreV1().ConfigMaps(pod.Namespace).Create(ctx, &v1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "kube-root-ca.crt"},
		Data:       map[string]string{"ca.crt": "test CA"},
	}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	pod.Spec.NodeName = testNode
	if len(pod.Spec.Containers) == 0 {
		pod.Spec.Containers = []v1.Container{{Name: "c", Image: "busybox"}}
	}
	got, err := admin.CoreV1().Pods(pod.Namespace).Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		zero := int64(0)
		_ = admin.CoreV1().Pods(pod.Namespace).Delete(context.Background(), pod.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero})
	})
	return got
}

func TestMountAPIDataVolumes(t *testing.T) {
	s := shared.Get(t)
	ctx := testserver.Context(t)
	admin := s.Client()
	ns := s.CreateNamespace(t)

	if _, err := admin.CoreV1().ConfigMaps(ns).Create(ctx, &v1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "cfg"},
		Data:       map[string]string{"app.conf": "v1", "other": "o"},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CoreV1().Secrets(ns).Create(ctx, &v1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "sec"},
		Data:       map[string][]byte{"password": []byte("s3cret")},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	secretMode := int32(0o400)
	exp := int64(3600)
	fsGroup := int64(2345)
	pod := createPod(t, ctx, admin, &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns, Labels: map[string]string{"app": "web"}},
		Spec: v1.PodSpec{
			SecurityContext: &v1.PodSecurityContext{FSGroup: &fsGroup},
			Containers: []v1.Container{{Name: "c", Image: "busybox", Resources: v1.ResourceRequirements{
				Limits: v1.ResourceList{v1.ResourceMemory: resource.MustParse("64Mi")},
			}}},
			Volumes: []v1.Volume{
				{Name: "cfg", VolumeSource: v1.VolumeSource{ConfigMap: &v1.ConfigMapVolumeSource{
					LocalObjectReference: v1.LocalObjectReference{Name: "cfg"}}}},
				{Name: "sec", VolumeSource: v1.VolumeSource{Secret: &v1.SecretVolumeSource{
					SecretName: "sec", DefaultMode: &secretMode}}},
				{Name: "info", VolumeSource: v1.VolumeSource{DownwardAPI: &v1.DownwardAPIVolumeSource{Items: []v1.DownwardAPIVolumeFile{
					{Path: "name", FieldRef: &v1.ObjectFieldSelector{FieldPath: "metadata.name"}},
					{Path: "labels", FieldRef: &v1.ObjectFieldSelector{FieldPath: "metadata.labels"}},
					{Path: "mem", ResourceFieldRef: &v1.ResourceFieldSelector{ContainerName: "c", Resource: "limits.memory", Divisor: resource.MustParse("1Mi")}},
				}}}},
				{Name: "api", VolumeSource: v1.VolumeSource{Projected: &v1.ProjectedVolumeSource{Sources: []v1.VolumeProjection{
					{ServiceAccountToken: &v1.ServiceAccountTokenProjection{Path: "token", Audience: "vault", ExpirationSeconds: &exp}},
					{ConfigMap: &v1.ConfigMapProjection{LocalObjectReference: v1.LocalObjectReference{Name: "cfg"},
						Items: []v1.KeyToPath{{Key: "app.conf", Path: "conf/app.conf"}}}},
					{DownwardAPI: &v1.DownwardAPIProjection{Items: []v1.DownwardAPIVolumeFile{
						{Path: "namespace", FieldRef: &v1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}}}},
				}}}},
				{Name: "scratch", VolumeSource: v1.VolumeSource{EmptyDir: &v1.EmptyDirVolumeSource{}}},
			},
		},
	})

	root := t.TempDir()
	m := NewManager(Options{RootDir: root, NodeName: testNode, Client: s.ClientFor(t, "system:node:"+testNode, "system:nodes")})
	t.Cleanup(func() { _ = m.Unmount(context.Background(), pod.UID) })
	vols := mountEventually(t, ctx, m, pod)

	for name, wantReadOnly := range map[string]bool{"cfg": true, "sec": true, "info": true, "api": true, "scratch": false} {
		v, ok := vols[name]
		if !ok || v.ReadOnly != wantReadOnly || !strings.HasPrefix(v.HostPath, filepath.Join(root, "pods", string(pod.UID), "volumes")) {
			t.Errorf("volume %s = %+v (present %v)", name, v, ok)
		}
	}

	// configMap: every key, as links into ..data.
	if got := readFile(t, filepath.Join(vols["cfg"].HostPath, "app.conf")); got != "v1" {
		t.Errorf("cfg/app.conf = %q", got)
	}
	if target, _ := os.Readlink(filepath.Join(vols["cfg"].HostPath, "app.conf")); target != "..data/app.conf" {
		t.Errorf("cfg/app.conf -> %q", target)
	}

	// secret: defaultMode, then the fsGroup's read bit; group owner.
	secFile := filepath.Join(vols["sec"].HostPath, "password")
	if got := readFile(t, secFile); got != "s3cret" {
		t.Errorf("sec/password = %q", got)
	}
	st, err := os.Stat(secFile)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o440 || st.Sys().(*syscall.Stat_t).Gid != uint32(fsGroup) {
		t.Errorf("sec/password mode %v gid %d, want -r--r----- %d", st.Mode().Perm(), st.Sys().(*syscall.Stat_t).Gid, fsGroup)
	}

	// downwardAPI.
	if got := readFile(t, filepath.Join(vols["info"].HostPath, "name")); got != "web" {
		t.Errorf("info/name = %q", got)
	}
	if got := readFile(t, filepath.Join(vols["info"].HostPath, "labels")); got != `app="web"` {
		t.Errorf("info/labels = %q", got)
	}
	if got := readFile(t, filepath.Join(vols["info"].HostPath, "mem")); got != "64" {
		t.Errorf("info/mem = %q", got)
	}

	// projected: token bound to the pod with the audience, plus the others.
	token := readFile(t, filepath.Join(vols["api"].HostPath, "token"))
	claims := jwtClaims(t, token)
	if aud, _ := json.Marshal(claims["aud"]); !strings.Contains(string(aud), `"vault"`) {
		t.Errorf("token audience = %s", aud)
	}
	k8s, _ := claims["kubernetes.io"].(map[string]any)
	podClaim, _ := k8s["pod"].(map[string]any)
	if podClaim["name"] != "web" || podClaim["uid"] != string(pod.UID) || k8s["namespace"] != ns {
		t.Errorf("token not bound to the pod: %v", claims["kubernetes.io"])
	}
	if sa, _ := k8s["serviceaccount"].(map[string]any); sa["name"] != "default" {
		t.Errorf("token service account = %v", k8s["serviceaccount"])
	}
	if tst, _ := os.Stat(filepath.Join(vols["api"].HostPath, "token")); tst.Mode().Perm() != 0o640 {
		t.Errorf("token mode %v, want 0640 (0600 plus the fsGroup's read)", tst.Mode().Perm())
	}
	if got := readFile(t, filepath.Join(vols["api"].HostPath, "conf/app.conf")); got != "v1" {
		t.Errorf("api/conf/app.conf = %q", got)
	}
	if got := readFile(t, filepath.Join(vols["api"].HostPath, "namespace")); got != ns {
		t.Errorf("api/namespace = %q", got)
	}

	// The kube-api-access volume the ServiceAccount admission added.
	found := false
	for _, v := range pod.Spec.Volumes {
		if !strings.HasPrefix(v.Name, "kube-api-access-") {
			continue
		}
		found = true
		dir := vols[v.Name].HostPath
		if readFile(t, filepath.Join(dir, "ca.crt")) != "test CA" || readFile(t, filepath.Join(dir, "namespace")) != ns ||
			len(jwtClaims(t, readFile(t, filepath.Join(dir, "token")))) == 0 {
			t.Errorf("kube-api-access volume content wrong in %s", dir)
		}
	}
	if !found {
		t.Log("no kube-api-access volume (ServiceAccount admission off)")
	}

	// Secret-bearing volumes sit on a tmpfs when we may mount one.
	if os.Geteuid() == 0 {
		for _, name := range []string{"sec", "api"} {
			if mp, err := isMountPoint(vols[name].HostPath); err != nil || !mp {
				t.Errorf("%s is not a tmpfs mount (%v)", name, err)
			}
		}
	}

	// Something written by the pod in the emptyDir survives a re-Mount.
	must(t, os.WriteFile(filepath.Join(vols["scratch"].HostPath, "work"), []byte("w"), 0o644))

	// An update of the configMap reaches the files on the next Mount; a
	// removed key disappears. The token is not renewed this early.
	cm, err := admin.CoreV1().ConfigMaps(ns).Get(ctx, "cfg", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cm.Data = map[string]string{"app.conf": "v2"}
	if _, err := admin.CoreV1().ConfigMaps(ns).Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	vols2, err := m.Mount(ctx, pod)
	if err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(vols2["cfg"].HostPath, "app.conf")); got != "v2" {
		t.Errorf("after update cfg/app.conf = %q", got)
	}
	if _, err := os.Lstat(filepath.Join(vols2["cfg"].HostPath, "other")); !os.IsNotExist(err) {
		t.Errorf("removed key still visible: %v", err)
	}
	if got := readFile(t, filepath.Join(vols2["api"].HostPath, "conf/app.conf")); got != "v2" {
		t.Errorf("after update api/conf/app.conf = %q", got)
	}
	if got := readFile(t, filepath.Join(vols2["api"].HostPath, "token")); got != token {
		t.Error("token renewed before 80% of its life")
	}
	if got := readFile(t, filepath.Join(vols2["scratch"].HostPath, "work")); got != "w" {
		t.Errorf("emptyDir content lost on re-Mount: %q", got)
	}

	// Past 80% of its life the token is renewed.
	m.now = func() time.Time { return time.Now().Add(49 * time.Minute) }
	if _, err := m.Mount(ctx, pod); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(vols2["api"].HostPath, "token")); got == token {
		t.Error("token not renewed past 80% of its life")
	}

	// The configMap goes away: the refresh fails, naming the volume, but
	// the volume keeps its last content for the running pod.
	if err := admin.CoreV1().ConfigMaps(ns).Delete(ctx, "cfg", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	vols3, err := m.Mount(ctx, pod)
	if err == nil || !strings.Contains(err.Error(), `MountVolume.SetUp failed for volume "cfg" : configmap "`+ns+`/cfg" not found`) {
		t.Errorf("Mount after the configMap was deleted: %v", err)
	}
	if v, ok := vols3["cfg"]; !ok || readFile(t, filepath.Join(v.HostPath, "app.conf")) != "v2" {
		t.Errorf("stale cfg volume not kept: %+v %v", v, ok)
	}

	// Unmount takes everything away.
	if err := m.Unmount(ctx, pod.UID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(m.PodDir(pod.UID)); !os.IsNotExist(err) {
		t.Errorf("pod folder still there: %v", err)
	}
	if mps, _ := mountPointsUnder(root); len(mps) != 0 {
		t.Errorf("mounts left: %v", mps)
	}
}

func TestMountMissingObjects(t *testing.T) {
	s := shared.Get(t)
	ctx := testserver.Context(t)
	ns := s.CreateNamespace(t)
	yes := true
	pod := createPod(t, ctx, s.Client(), &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "missing", Namespace: ns},
		Spec: v1.PodSpec{Volumes: []v1.Volume{
			{Name: "opt", VolumeSource: v1.VolumeSource{ConfigMap: &v1.ConfigMapVolumeSource{
				LocalObjectReference: v1.LocalObjectReference{Name: "absent"}, Optional: &yes}}},
			{Name: "req", VolumeSource: v1.VolumeSource{Secret: &v1.SecretVolumeSource{SecretName: "absent"}}},
		}},
	})
	m := NewManager(Options{RootDir: t.TempDir(), NodeName: testNode, Client: s.ClientFor(t, "system:node:"+testNode, "system:nodes")})
	t.Cleanup(func() { _ = m.Unmount(context.Background(), pod.UID) })
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := m.Mount(ctx, pod)
		if err != nil && strings.Contains(err.Error(), "forbidden") && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		want := `MountVolume.SetUp failed for volume "req" : secret "` + ns + `/absent" not found`
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("err = %v, want %q", err, want)
		}
		if _, ok := got["opt"]; !ok {
			t.Errorf("optional missing configMap should mount empty: %v", got)
		}
		break
	}
}

// boundClaim plays the persistent-volume controller: a hostPath PV on a
// fresh folder, the claim, both sides bound. owner (optional) makes the
// claim the pod's, as the ephemeral-volume controller does.
func boundClaim(t *testing.T, ctx context.Context, admin kubernetes.Interface, ns, name string, owner *v1.Pod) string {
	t.Helper()
	hostDir := t.TempDir()
	pvName := "pv-" + ns + "-" + name
	pv, err := admin.CoreV1().PersistentVolumes().Create(ctx, &v1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: pvName},
		Spec: v1.PersistentVolumeSpec{
			Capacity:               v1.ResourceList{v1.ResourceStorage: resource.MustParse("1Gi")},
			AccessModes:            []v1.PersistentVolumeAccessMode{v1.ReadWriteOnce},
			PersistentVolumeSource: v1.PersistentVolumeSource{HostPath: &v1.HostPathVolumeSource{Path: hostDir}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = admin.CoreV1().PersistentVolumes().Delete(context.Background(), pvName, metav1.DeleteOptions{})
	})
	claim := &v1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: v1.PersistentVolumeClaimSpec{
			AccessModes: []v1.PersistentVolumeAccessMode{v1.ReadWriteOnce},
			VolumeName:  pvName,
			Resources:   v1.VolumeResourceRequirements{Requests: v1.ResourceList{v1.ResourceStorage: resource.MustParse("1Gi")}},
		},
	}
	if owner != nil {
		yes := true
		claim.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Pod", Name: owner.Name, UID: owner.UID, Controller: &yes}}
	}
	pvc, err := admin.CoreV1().PersistentVolumeClaims(ns).Create(ctx, claim, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pvc.Status.Phase = v1.ClaimBound
	if _, err := admin.CoreV1().PersistentVolumeClaims(ns).UpdateStatus(ctx, pvc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	pv.Spec.ClaimRef = &v1.ObjectReference{Kind: "PersistentVolumeClaim", Namespace: ns, Name: name, UID: pvc.UID}
	if _, err := admin.CoreV1().PersistentVolumes().Update(ctx, pv, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	return hostDir
}

func TestMountClaim(t *testing.T) {
	s := shared.Get(t)
	ctx := testserver.Context(t)
	admin := s.Client()
	ns := s.CreateNamespace(t)
	hostDir := boundClaim(t, ctx, admin, ns, "data", nil)

	pod := createPod(t, ctx, admin, &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: ns},
		Spec: v1.PodSpec{Volumes: []v1.Volume{
			{Name: "data", VolumeSource: v1.VolumeSource{
				PersistentVolumeClaim: &v1.PersistentVolumeClaimVolumeSource{ClaimName: "data", ReadOnly: true}}},
			{Name: "scratch", VolumeSource: v1.VolumeSource{Ephemeral: &v1.EphemeralVolumeSource{
				VolumeClaimTemplate: &v1.PersistentVolumeClaimTemplate{Spec: v1.PersistentVolumeClaimSpec{
					AccessModes: []v1.PersistentVolumeAccessMode{v1.ReadWriteOnce},
					Resources:   v1.VolumeResourceRequirements{Requests: v1.ResourceList{v1.ResourceStorage: resource.MustParse("1Gi")}},
				}}}}},
		}},
	})
	scratchDir := boundClaim(t, ctx, admin, ns, "db-scratch", pod)

	m := NewManager(Options{RootDir: t.TempDir(), NodeName: testNode, Client: s.ClientFor(t, "system:node:"+testNode, "system:nodes")})
	t.Cleanup(func() { _ = m.Unmount(context.Background(), pod.UID) })
	vols := mountEventually(t, ctx, m, pod)
	if got := vols["data"]; got.HostPath != hostDir || !got.ReadOnly {
		t.Errorf("claim volume = %+v, want %s read-only", got, hostDir)
	}
	if got := vols["scratch"]; got.HostPath != scratchDir || got.ReadOnly {
		t.Errorf("ephemeral volume = %+v, want %s writable", got, scratchDir)
	}

	// A claim with the ephemeral name that is not the pod's is refused.
	foreign := createPod(t, ctx, admin, &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "db2", Namespace: ns},
		Spec:       v1.PodSpec{Volumes: []v1.Volume{{Name: "scratch", VolumeSource: pod.Spec.Volumes[1].VolumeSource}}},
	})
	boundClaim(t, ctx, admin, ns, "db2-scratch", nil)
	t.Cleanup(func() { _ = m.Unmount(context.Background(), foreign.UID) })
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := m.Mount(ctx, foreign)
		if err != nil && strings.Contains(err.Error(), "forbidden") && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if err == nil || !strings.Contains(err.Error(), `persistentvolumeclaim "`+ns+`/db2-scratch" was not created for the pod`) {
			t.Errorf("foreign ephemeral claim: %v", err)
		}
		break
	}
}
