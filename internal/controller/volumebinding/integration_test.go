package volumebinding_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"

	"github.com/hanok-dev/hanok/internal/controller/controllertest"
	"github.com/hanok-dev/hanok/internal/controller/volumebinding"
	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

// start runs the binder as persistent-volume-binder on a shared server,
// in a fresh namespace, and returns the namespace and an admin client.
func start(t *testing.T) (string, kubernetes.Interface) {
	t.Helper()
	ns, admin, run := prepare(t)
	run()
	return ns, admin
}

// prepare is start that leaves starting the binder to the caller.
func prepare(t *testing.T) (string, kubernetes.Interface, func()) {
	t.Helper()
	s := shared.Get(t)
	ns := s.CreateNamespace(t)
	return ns, s.Client(), func() {
		c := controllertest.NewContext(t, s, "persistent-volume-binder", ns)
		pc, err := volumebinding.New(c)
		if err != nil {
			t.Fatal(err)
		}
		controllertest.Run(t, c, pc)
	}
}

// waitAvailable waits for the binder to see volumes as Available (only
// those are matched, as upstream).
func waitAvailable(t *testing.T, admin kubernetes.Interface, names ...string) {
	t.Helper()
	for _, name := range names {
		controllertest.Eventually(t, 10*time.Second, func() (bool, string) {
			p, err := volumePhase(t, admin, name)
			return p == corev1.VolumeAvailable, fmt.Sprint(name, " ", p, err)
		})
	}
}

// createClass makes a StorageClass (deleted when the test ends).
func createClass(t *testing.T, admin kubernetes.Interface, name, provisioner string, mode storagev1.VolumeBindingMode) {
	t.Helper()
	class := &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Provisioner: provisioner, VolumeBindingMode: &mode}
	if _, err := admin.StorageV1().StorageClasses().Create(testserver.Context(t), class, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = admin.StorageV1().StorageClasses().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
}

// createVolume makes a hostPath (or, given a node, local) volume of size
// in class (deleted when the test ends, if still there).
func createVolume(t *testing.T, admin kubernetes.Interface, name, size, class, node string, policy corev1.PersistentVolumeReclaimPolicy) {
	t.Helper()
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)},
			AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			StorageClassName:              class,
			PersistentVolumeReclaimPolicy: policy,
			PersistentVolumeSource:        corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/tmp/" + name}},
		},
	}
	if node != "" {
		pv.Spec.PersistentVolumeSource = corev1.PersistentVolumeSource{Local: &corev1.LocalVolumeSource{Path: "/mnt/" + name}}
		pv.Spec.NodeAffinity = &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
			MatchExpressions: []corev1.NodeSelectorRequirement{{Key: corev1.LabelHostname, Operator: corev1.NodeSelectorOpIn, Values: []string{node}}},
		}}}}
	}
	if _, err := admin.CoreV1().PersistentVolumes().Create(testserver.Context(t), pv, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = admin.CoreV1().PersistentVolumes().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
}

func createClaim(t *testing.T, admin kubernetes.Interface, ns, name, size, class string) *corev1.PersistentVolumeClaim {
	t.Helper()
	claim := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)}},
			StorageClassName: &class,
		},
	}
	got, err := admin.CoreV1().PersistentVolumeClaims(ns).Create(testserver.Context(t), claim, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// waitBound waits until claim and volume are bound to each other, both
// sides complete, and returns the claim.
func waitBound(t *testing.T, admin kubernetes.Interface, ns, claimName, volumeName string) *corev1.PersistentVolumeClaim {
	t.Helper()
	return waitBoundBy(t, admin, ns, claimName, volumeName, true)
}

// waitBoundBy is waitBound; byController says the binder chose the
// volume (the claim is annotated bound-by-controller).
func waitBoundBy(t *testing.T, admin kubernetes.Interface, ns, claimName, volumeName string, byController bool) *corev1.PersistentVolumeClaim {
	t.Helper()
	ctx := testserver.Context(t)
	var claim *corev1.PersistentVolumeClaim
	controllertest.Eventually(t, 15*time.Second, func() (bool, string) {
		c, err := admin.CoreV1().PersistentVolumeClaims(ns).Get(ctx, claimName, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		v, err := admin.CoreV1().PersistentVolumes().Get(ctx, volumeName, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		claim = c
		ok := c.Spec.VolumeName == volumeName && c.Status.Phase == corev1.ClaimBound &&
			c.Annotations[volumebinding.AnnBindCompleted] == "yes" && (!byController || c.Annotations[volumebinding.AnnBoundByController] == "yes") &&
			v.Spec.ClaimRef != nil && v.Spec.ClaimRef.UID == c.UID && v.Status.Phase == corev1.VolumeBound
		return ok, fmt.Sprintf("claim volume %q phase %s annotations %v; volume claimRef %+v phase %s",
			c.Spec.VolumeName, c.Status.Phase, c.Annotations, v.Spec.ClaimRef, v.Status.Phase)
	})
	return claim
}

func volumePhase(t *testing.T, admin kubernetes.Interface, name string) (corev1.PersistentVolumePhase, error) {
	v, err := admin.CoreV1().PersistentVolumes().Get(testserver.Context(t), name, metav1.GetOptions{})
	if err != nil {
		return "", err
	}
	return v.Status.Phase, nil
}

func TestClaimBindsSmallestFittingVolume(t *testing.T) {
	ns, admin := start(t)
	class := ns + "-static"
	createVolume(t, admin, ns+"-1g", "1Gi", class, "", corev1.PersistentVolumeReclaimRetain)
	createVolume(t, admin, ns+"-5g", "5Gi", class, "", corev1.PersistentVolumeReclaimRetain)
	createVolume(t, admin, ns+"-3g", "3Gi", class, "", corev1.PersistentVolumeReclaimRetain)
	createVolume(t, admin, ns+"-2g-other", "2Gi", ns+"-other", "", corev1.PersistentVolumeReclaimRetain)
	waitAvailable(t, admin, ns+"-1g", ns+"-5g", ns+"-3g", ns+"-2g-other")

	createClaim(t, admin, ns, "data", "2Gi", class)
	claim := waitBound(t, admin, ns, "data", ns+"-3g")
	if got := claim.Status.Capacity[corev1.ResourceStorage]; got.Cmp(resource.MustParse("3Gi")) != 0 {
		t.Fatalf("claim capacity %s, want the volume's 3Gi", got.String())
	}
	if len(claim.Status.AccessModes) != 1 || claim.Status.AccessModes[0] != corev1.ReadWriteOnce {
		t.Fatalf("claim access modes %v", claim.Status.AccessModes)
	}
	// The others stay free.
	waitAvailable(t, admin, ns+"-1g", ns+"-5g", ns+"-2g-other")

	// A second claim gets the next smallest that fits.
	createClaim(t, admin, ns, "more", "2Gi", class)
	waitBound(t, admin, ns, "more", ns+"-5g")
}

// TestBindFinishesAfterCrash: a binder that died right after writing the
// volume side of a bind (claimRef with the claim's UID, nothing on the
// claim) is replaced; the new one finishes that bind, though a smaller
// fitting volume is Available.
func TestBindFinishesAfterCrash(t *testing.T) {
	ns, admin, run := prepare(t)
	ctx := testserver.Context(t)
	class := ns + "-static"
	createVolume(t, admin, ns+"-big", "5Gi", class, "", corev1.PersistentVolumeReclaimRetain)
	createVolume(t, admin, ns+"-fit", "1Gi", class, "", corev1.PersistentVolumeReclaimRetain)
	c := createClaim(t, admin, ns, "c", "1Gi", class)
	for _, name := range []string{ns + "-big", ns + "-fit"} {
		v, err := admin.CoreV1().PersistentVolumes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if name == ns+"-big" {
			v.Spec.ClaimRef = &corev1.ObjectReference{Kind: "PersistentVolumeClaim", Namespace: ns, Name: "c", UID: c.UID}
			v.Annotations = map[string]string{volumebinding.AnnBoundByController: "yes"}
			if v, err = admin.CoreV1().PersistentVolumes().Update(ctx, v, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		v.Status.Phase = corev1.VolumeAvailable
		if _, err := admin.CoreV1().PersistentVolumes().UpdateStatus(ctx, v, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	run()
	waitBound(t, admin, ns, "c", ns+"-big")
	waitAvailable(t, admin, ns+"-fit")
}

func TestWaitForFirstConsumer(t *testing.T) {
	ns, admin := start(t)
	ctx := testserver.Context(t)
	class := ns + "-local"
	createClass(t, admin, class, volumebinding.NoProvisioner, storagev1.VolumeBindingWaitForFirstConsumer)
	n1, n2 := ns+"-n1", ns+"-n2"
	for _, n := range []string{n1, n2} {
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: n, Labels: map[string]string{corev1.LabelHostname: n}}}
		if _, err := admin.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = admin.CoreV1().Nodes().Delete(context.Background(), n, metav1.DeleteOptions{}) })
	}
	createVolume(t, admin, ns+"-on-n1", "1Gi", class, n1, corev1.PersistentVolumeReclaimRetain)
	createVolume(t, admin, ns+"-on-n2", "2Gi", class, n2, corev1.PersistentVolumeReclaimRetain)

	createClaim(t, admin, ns, "data", "1Gi", class)
	// It waits (with upstream's event) while no node is chosen, though a
	// smaller volume fits on n1.
	waitEvent(t, admin, ns, "data", volumebinding.EventWaitForFirstConsumer)
	c, err := admin.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "data", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Spec.VolumeName != "" || c.Status.Phase != corev1.ClaimPending {
		t.Fatalf("claim bound before a node was selected: %q %s", c.Spec.VolumeName, c.Status.Phase)
	}

	// The scheduler picks n2: the claim binds to n2's volume.
	patch := fmt.Appendf(nil, `{"metadata":{"annotations":{%q:%q}}}`, volumebinding.AnnSelectedNode, n2)
	if _, err := admin.CoreV1().PersistentVolumeClaims(ns).Patch(ctx, "data", types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	waitBound(t, admin, ns, "data", ns+"-on-n2")
	if p, _ := volumePhase(t, admin, ns+"-on-n1"); p != corev1.VolumeAvailable {
		t.Fatalf("n1's volume %s, want Available", p)
	}
}

// TestExternalProvisionerAnnotation: with nothing to bind, a claim of a
// class with an external provisioner is handed to it by annotation, at
// once for an Immediate class, only once a node is selected for a
// WaitForFirstConsumer one.
func TestExternalProvisionerAnnotation(t *testing.T) {
	ns, admin := start(t)
	ctx := testserver.Context(t)
	const provisioner = "rancher.io/local-path"
	createClass(t, admin, ns+"-now", provisioner, storagev1.VolumeBindingImmediate)
	createClass(t, admin, ns+"-wait", provisioner, storagev1.VolumeBindingWaitForFirstConsumer)
	createClaim(t, admin, ns, "now", "1Gi", ns+"-now")
	createClaim(t, admin, ns, "wait", "1Gi", ns+"-wait")
	handedOver := func(name string) (bool, string) {
		c, err := admin.CoreV1().PersistentVolumeClaims(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return c.Annotations[volumebinding.AnnStorageProvisioner] == provisioner &&
				c.Annotations[volumebinding.AnnBetaStorageProvisioner] == provisioner && c.Status.Phase == corev1.ClaimPending,
			fmt.Sprintf("%s: annotations %v phase %s", name, c.Annotations, c.Status.Phase)
	}
	controllertest.Eventually(t, 10*time.Second, func() (bool, string) { return handedOver("now") })
	waitEvent(t, admin, ns, "now", volumebinding.EventExternalProvisioning)
	waitEvent(t, admin, ns, "wait", volumebinding.EventWaitForFirstConsumer)
	if ok, msg := handedOver("wait"); ok {
		t.Fatalf("handed to the provisioner before a node was selected: %s", msg)
	}
	patch := fmt.Appendf(nil, `{"metadata":{"annotations":{%q:"some-node"}}}`, volumebinding.AnnSelectedNode)
	if _, err := admin.CoreV1().PersistentVolumeClaims(ns).Patch(ctx, "wait", types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	controllertest.Eventually(t, 10*time.Second, func() (bool, string) { return handedOver("wait") })
}

func TestReleaseAppliesReclaimPolicy(t *testing.T) {
	ns, admin := start(t)
	ctx := testserver.Context(t)
	for _, tc := range []struct {
		name          string
		policy        corev1.PersistentVolumeReclaimPolicy
		provisionedBy string // the external provisioner deletes it
		wantGone      bool
	}{
		{name: "provisioned", policy: corev1.PersistentVolumeReclaimDelete, provisionedBy: "rancher.io/local-path"},
		{name: "retain", policy: corev1.PersistentVolumeReclaimRetain},
		{name: "delete", policy: corev1.PersistentVolumeReclaimDelete, wantGone: true},
	} {
		func() {
			class, volume, claim := ns+"-"+tc.name, ns+"-"+tc.name, "c-"+tc.name
			createVolume(t, admin, volume, "1Gi", class, "", tc.policy)
			if tc.provisionedBy != "" {
				patch := fmt.Appendf(nil, `{"metadata":{"annotations":{%q:%q}}}`, volumebinding.AnnDynamicallyProvisioned, tc.provisionedBy)
				if _, err := admin.CoreV1().PersistentVolumes().Patch(ctx, volume, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			createClaim(t, admin, ns, claim, "1Gi", class)
			waitBound(t, admin, ns, claim, volume)
			if err := admin.CoreV1().PersistentVolumeClaims(ns).Delete(ctx, claim, metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
			controllertest.Eventually(t, 15*time.Second, func() (bool, string) {
				p, err := volumePhase(t, admin, volume)
				if tc.wantGone {
					return apierrors.IsNotFound(err), fmt.Sprint("volume ", p, " ", err)
				}
				return p == corev1.VolumeReleased, fmt.Sprint("volume ", p, " ", err)
			})
		}()
	}
	// Released in the same sync that would delete them, and a later
	// volume deleted since: the kept ones are still there.
	for _, name := range []string{ns + "-provisioned", ns + "-retain"} {
		if p, err := volumePhase(t, admin, name); err != nil || p != corev1.VolumeReleased {
			t.Fatalf("volume %s: %s %v, want kept Released", name, p, err)
		}
	}
}

// TestPreBinding: a volume whose claimRef names a claim (no UID) goes to
// that claim only, and a claim naming a volume in spec.volumeName gets
// that one, even where a smaller fitting volume is free.
func TestPreBinding(t *testing.T) {
	ns, admin := start(t)
	ctx := testserver.Context(t)
	class := ns + "-static"
	createVolume(t, admin, ns+"-small", "1Gi", class, "", corev1.PersistentVolumeReclaimRetain)
	createVolume(t, admin, ns+"-reserved", "2Gi", class, "", corev1.PersistentVolumeReclaimRetain)
	createVolume(t, admin, ns+"-named", "3Gi", class, "", corev1.PersistentVolumeReclaimRetain)
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		v, err := admin.CoreV1().PersistentVolumes().Get(ctx, ns+"-reserved", metav1.GetOptions{})
		if err != nil {
			return err
		}
		v.Spec.ClaimRef = &corev1.ObjectReference{Namespace: ns, Name: "mine"}
		_, err = admin.CoreV1().PersistentVolumes().Update(ctx, v, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	waitAvailable(t, admin, ns+"-small", ns+"-reserved", ns+"-named")

	// Another claim that the reserved volume would fit best does not get it.
	createClaim(t, admin, ns, "other", "2Gi", class)
	waitBound(t, admin, ns, "other", ns+"-named")
	createClaim(t, admin, ns, "mine", "1Gi", class)
	waitBound(t, admin, ns, "mine", ns+"-reserved")

	// A claim asking for a volume by name that does not fit it waits,
	// with upstream's event.
	createVolume(t, admin, ns+"-tiny", "1Mi", class, "", corev1.PersistentVolumeReclaimRetain)
	waitAvailable(t, admin, ns+"-tiny")
	named := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "named"},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
			StorageClassName: &class,
			VolumeName:       ns + "-tiny",
		},
	}
	if _, err := admin.CoreV1().PersistentVolumeClaims(ns).Create(ctx, named, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, admin, ns, "named", volumebinding.EventVolumeMismatch)
	if p, _ := volumePhase(t, admin, ns+"-tiny"); p != corev1.VolumeAvailable {
		t.Fatalf("too small a volume was bound: %s", p)
	}
	// Now one that fits it: it binds.
	createVolume(t, admin, ns+"-asked", "1Gi", class, "", corev1.PersistentVolumeReclaimRetain)
	named.Name, named.Spec.VolumeName = "named2", ns+"-asked"
	if _, err := admin.CoreV1().PersistentVolumeClaims(ns).Create(ctx, named, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	c := waitBoundBy(t, admin, ns, "named2", ns+"-asked", false)
	if _, ok := c.Annotations[volumebinding.AnnBoundByController]; ok {
		t.Fatal("a claim the user bound by name must not be marked bound-by-controller")
	}
}

// TestPendingReasons: claims that cannot bind say why, as upstream.
func TestPendingReasons(t *testing.T) {
	ns, admin := start(t)
	createClass(t, admin, ns+"-none", volumebinding.NoProvisioner, storagev1.VolumeBindingImmediate)
	createClaim(t, admin, ns, "no-class", "1Gi", "")
	createClaim(t, admin, ns, "no-provisioner", "1Gi", ns+"-none")
	createClaim(t, admin, ns, "missing-class", "1Gi", ns+"-missing")
	waitEvent(t, admin, ns, "no-class", volumebinding.EventFailedBinding)
	waitEvent(t, admin, ns, "no-provisioner", volumebinding.EventProvisioningFailed)
	waitEvent(t, admin, ns, "missing-class", volumebinding.EventProvisioningFailed)
}

func waitEvent(t *testing.T, admin kubernetes.Interface, ns, object, reason string) {
	t.Helper()
	ctx := testserver.Context(t)
	controllertest.Eventually(t, 10*time.Second, func() (bool, string) {
		evs, err := admin.CoreV1().Events(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err.Error()
		}
		for _, e := range evs.Items {
			if e.InvolvedObject.Name == object && e.Reason == reason {
				return true, ""
			}
		}
		return false, fmt.Sprintf("no %s event for %s in %d events", reason, object, len(evs.Items))
	})
}

// TestLosingVolumeIsFreed: a volume the binder linked to a claim that
// ended up bound to another volume (a race between two of its syncs) is
// unbound and Available again; the claim keeps its volume.
func TestLosingVolumeIsFreed(t *testing.T) {
	ns, admin, run := prepare(t)
	ctx := testserver.Context(t)
	class := ns + "-static"
	createVolume(t, admin, ns+"-won", "1Gi", class, "", corev1.PersistentVolumeReclaimRetain)
	createVolume(t, admin, ns+"-lost", "1Gi", class, "", corev1.PersistentVolumeReclaimRetain)
	c := createClaim(t, admin, ns, "c", "1Gi", class)
	for _, name := range []string{ns + "-won", ns + "-lost"} {
		v, err := admin.CoreV1().PersistentVolumes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		v.Spec.ClaimRef = &corev1.ObjectReference{Kind: "PersistentVolumeClaim", Namespace: ns, Name: "c", UID: c.UID}
		v.Annotations = map[string]string{volumebinding.AnnBoundByController: "yes"}
		if _, err := admin.CoreV1().PersistentVolumes().Update(ctx, v, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	c.Spec.VolumeName = ns + "-won"
	c.Annotations = map[string]string{volumebinding.AnnBindCompleted: "yes", volumebinding.AnnBoundByController: "yes"}
	if _, err := admin.CoreV1().PersistentVolumeClaims(ns).Update(ctx, c, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	run()
	waitBound(t, admin, ns, "c", ns+"-won")
	controllertest.Eventually(t, 10*time.Second, func() (bool, string) {
		v, err := admin.CoreV1().PersistentVolumes().Get(ctx, ns+"-lost", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		_, by := v.Annotations[volumebinding.AnnBoundByController]
		return v.Spec.ClaimRef == nil && !by && v.Status.Phase == corev1.VolumeAvailable,
			fmt.Sprintf("claimRef %+v annotations %v phase %s", v.Spec.ClaimRef, v.Annotations, v.Status.Phase)
	})
}
