package scheduler

import (
	"context"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/hanok-dev/hanok/internal/scheduler/plugins/volumebinding"
)

// A claim of a WaitForFirstConsumer class is provisioned where the pod
// lands: the scheduler names the node on the claim, waits for the
// provisioner (played by the test) to bind it, then binds the pod.
func TestWaitForFirstConsumer(t *testing.T) {
	e := newEnv(t)
	e.node("a", "2", nil)
	e.node("b", "2", nil)
	wffc := storagev1.VolumeBindingWaitForFirstConsumer
	class := &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: e.ns + "-local"}, Provisioner: "example.com/local", VolumeBindingMode: &wffc}
	if _, err := e.admin.StorageV1().StorageClasses().Create(e.ctx, class, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = e.admin.StorageV1().StorageClasses().Delete(context.Background(), class.Name, metav1.DeleteOptions{})
	})
	pvc := &v1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "data"}, Spec: v1.PersistentVolumeClaimSpec{
		StorageClassName: &class.Name, AccessModes: []v1.PersistentVolumeAccessMode{v1.ReadWriteOnce},
		Resources: v1.VolumeResourceRequirements{Requests: v1.ResourceList{v1.ResourceStorage: resource.MustParse("1Gi")}},
	}}
	if _, err := e.admin.CoreV1().PersistentVolumeClaims(e.ns).Create(e.ctx, pvc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.startScheduler(Config{})
	e.pod("db", "", func(p *v1.Pod) {
		p.Spec.Volumes = []v1.Volume{{Name: "data", VolumeSource: v1.VolumeSource{PersistentVolumeClaim: &v1.PersistentVolumeClaimVolumeSource{ClaimName: "data"}}}}
	})

	// The provisioner: wait for the selected node, make a volume there.
	var node string
	err := wait.PollUntilContextTimeout(e.ctx, 20*time.Millisecond, 20*time.Second, true, func(ctx context.Context) (bool, error) {
		c, err := e.admin.CoreV1().PersistentVolumeClaims(e.ns).Get(ctx, "data", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		node = c.Annotations[volumebinding.AnnSelectedNode]
		return node != "", nil
	})
	if err != nil {
		t.Fatalf("no selected node on the claim: %v", err)
	}
	if !e.unbound("db") {
		t.Fatal("pod bound before its claim")
	}
	pv := &v1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: e.ns + "-pv"}, Spec: v1.PersistentVolumeSpec{
		Capacity: v1.ResourceList{v1.ResourceStorage: resource.MustParse("1Gi")}, AccessModes: []v1.PersistentVolumeAccessMode{v1.ReadWriteOnce},
		StorageClassName: class.Name, PersistentVolumeSource: v1.PersistentVolumeSource{Local: &v1.LocalVolumeSource{Path: "/data"}},
		ClaimRef: &v1.ObjectReference{Namespace: e.ns, Name: "data"},
		NodeAffinity: &v1.VolumeNodeAffinity{Required: &v1.NodeSelector{NodeSelectorTerms: []v1.NodeSelectorTerm{{
			MatchExpressions: []v1.NodeSelectorRequirement{{Key: v1.LabelHostname, Operator: v1.NodeSelectorOpIn, Values: []string{node}}}}}}},
	}}
	if _, err := e.admin.CoreV1().PersistentVolumes().Create(e.ctx, pv, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = e.admin.CoreV1().PersistentVolumes().Delete(context.Background(), pv.Name, metav1.DeleteOptions{})
	})
	c, err := e.admin.CoreV1().PersistentVolumeClaims(e.ns).Get(e.ctx, "data", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c.Spec.VolumeName = pv.Name
	if _, err := e.admin.CoreV1().PersistentVolumeClaims(e.ns).Update(e.ctx, c, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := e.waitBound("db"); got != node {
		t.Fatalf("pod on %s, claim provisioned on %s", got, node)
	}
}
