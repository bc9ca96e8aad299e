package apiserver_test

import (
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// TestFinalizers: deleting an object with a finalizer only marks it;
// removing the last finalizer then deletes it.
func TestFinalizers(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	ns := s.CreateNamespace(t)
	cms := s.Client().CoreV1().ConfigMaps(ns)
	cm, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
		Name: "held", Finalizers: []string{"example.com/hold", "example.com/second"}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := cms.Delete(ctx, "held", metav1.DeleteOptions{}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	marked, err := cms.Get(ctx, "held", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("object with finalizers gone at once: %v", err)
	}
	if marked.DeletionTimestamp == nil || marked.DeletionGracePeriodSeconds == nil || *marked.DeletionGracePeriodSeconds != 0 {
		t.Errorf("deletionTimestamp %v grace %v, want set and 0", marked.DeletionTimestamp, marked.DeletionGracePeriodSeconds)
	}
	if marked.ResourceVersion == cm.ResourceVersion {
		t.Error("marking for deletion did not write")
	}
	// A second delete changes nothing.
	if err := cms.Delete(ctx, "held", metav1.DeleteOptions{}); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	again, _ := cms.Get(ctx, "held", metav1.GetOptions{})
	if again == nil || !again.DeletionTimestamp.Equal(marked.DeletionTimestamp) {
		t.Errorf("second delete moved deletionTimestamp: %v -> %v", marked.DeletionTimestamp, again)
	}
	// No new finalizers once deletion started, as upstream.
	more := again.DeepCopy()
	more.Finalizers = append(more.Finalizers, "example.com/late")
	if _, err := cms.Update(ctx, more, metav1.UpdateOptions{}); !apierrors.IsInvalid(err) {
		t.Errorf("adding a finalizer during deletion: %v, want 422", err)
	}
	// The deletion timestamp cannot be taken back by the client.
	undelete := again.DeepCopy()
	undelete.DeletionTimestamp = nil
	undelete.Finalizers = []string{"example.com/second"}
	out, err := cms.Update(ctx, undelete, metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("removing one finalizer: %v", err)
	}
	if out.DeletionTimestamp == nil {
		t.Error("an update cleared deletionTimestamp")
	}
	// Removing the last finalizer (here with a JSON patch) deletes it.
	if _, err := cms.Patch(ctx, "held", types.JSONPatchType, []byte(`[{"op":"remove","path":"/metadata/finalizers"}]`), metav1.PatchOptions{}); err != nil {
		t.Fatalf("removing the last finalizer: %v", err)
	}
	if _, err := cms.Get(ctx, "held", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("after the last finalizer went: %v, want NotFound", err)
	}
}

// TestGracefulPodDeletion: a pod on a node is marked with its grace period
// for the kubelet to finish; grace 0 removes it; a pod on no node, or a
// finished one, goes at once.
func TestGracefulPodDeletion(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	ns := s.CreateNamespace(t)
	pods := s.Client().CoreV1().Pods(ns)

	if _, err := pods.Create(ctx, testPod("running", "node-1", nil), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	if err := pods.Delete(ctx, "running", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	p, err := pods.Get(ctx, "running", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("pod on a node removed at once: %v", err)
	}
	if p.DeletionGracePeriodSeconds == nil || *p.DeletionGracePeriodSeconds != 30 {
		t.Errorf("deletionGracePeriodSeconds %v, want the default 30", p.DeletionGracePeriodSeconds)
	}
	if p.DeletionTimestamp == nil || p.DeletionTimestamp.Time.Before(before.Add(29*time.Second)) || p.DeletionTimestamp.Time.After(time.Now().Add(31*time.Second)) {
		t.Errorf("deletionTimestamp %v, want about now + 30s", p.DeletionTimestamp)
	}
	// A shorter grace shortens the deletion; a longer one does not extend it.
	if err := pods.Delete(ctx, "running", metav1.DeleteOptions{GracePeriodSeconds: ptr[int64](10)}); err != nil {
		t.Fatal(err)
	}
	if err := pods.Delete(ctx, "running", metav1.DeleteOptions{GracePeriodSeconds: ptr[int64](60)}); err != nil {
		t.Fatal(err)
	}
	p, _ = pods.Get(ctx, "running", metav1.GetOptions{})
	if p == nil || *p.DeletionGracePeriodSeconds != 10 {
		t.Errorf("after grace 10 then 60: %v, want 10", p.DeletionGracePeriodSeconds)
	}
	// The kubelet's final delete.
	if err := pods.Delete(ctx, "running", metav1.DeleteOptions{GracePeriodSeconds: ptr[int64](0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := pods.Get(ctx, "running", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("after delete with grace 0: %v, want NotFound", err)
	}

	if _, err := pods.Create(ctx, testPod("pending", "", nil), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := pods.Delete(ctx, "pending", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := pods.Get(ctx, "pending", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("unscheduled pod after delete: %v, want NotFound", err)
	}

	done, err := pods.Create(ctx, testPod("done", "node-1", nil), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	done.Status.Phase = corev1.PodSucceeded
	if _, err := pods.UpdateStatus(ctx, done, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := pods.Delete(ctx, "done", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := pods.Get(ctx, "done", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("succeeded pod after delete: %v, want NotFound", err)
	}
}

// TestDeleteCollection deletes what a label selector picks and nothing
// else.
func TestDeleteCollection(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	ns := s.CreateNamespace(t)
	cms := s.Client().CoreV1().ConfigMaps(ns)
	for i, app := range []string{"x", "x", "x", "y", "y"} {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm-" + string(rune('a'+i)), Labels: map[string]string{"app": app}}}
		if _, err := cms.Create(ctx, cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := cms.DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: "app=x"}); err != nil {
		t.Fatalf("deletecollection: %v", err)
	}
	left, err := cms.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(left.Items) != 2 {
		t.Fatalf("%d left, want the 2 with app=y", len(left.Items))
	}
	for _, cm := range left.Items {
		if cm.Labels["app"] != "y" {
			t.Errorf("%s (app=%s) survived or was deleted wrongly", cm.Name, cm.Labels["app"])
		}
	}
	// dryRun deletes nothing.
	if err := cms.DeleteCollection(ctx, metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}}, metav1.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	if left, _ := cms.List(ctx, metav1.ListOptions{}); len(left.Items) != 2 {
		t.Errorf("dry-run deletecollection deleted: %d left", len(left.Items))
	}
}

// TestNamespaceDeletion: deleting a namespace marks it Terminating until
// the namespace controller empties spec.finalizers through /finalize.
func TestNamespaceDeletion(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	nss := s.Client().CoreV1().Namespaces()
	name := s.CreateNamespace(t)
	ns, err := nss.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ns.Spec.Finalizers) != 1 || ns.Spec.Finalizers[0] != corev1.FinalizerKubernetes || ns.Status.Phase != corev1.NamespaceActive {
		t.Errorf("new namespace: finalizers %v phase %s", ns.Spec.Finalizers, ns.Status.Phase)
	}
	if ns.Labels[corev1.LabelMetadataName] != name {
		t.Errorf("labels %v lack %s=%s", ns.Labels, corev1.LabelMetadataName, name)
	}
	if err := nss.Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	ns, err = nss.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("namespace gone before finalize: %v", err)
	}
	if ns.Status.Phase != corev1.NamespaceTerminating || ns.DeletionTimestamp == nil {
		t.Errorf("deleted namespace: phase %s deletionTimestamp %v, want Terminating and set", ns.Status.Phase, ns.DeletionTimestamp)
	}
	// Nothing new goes into a namespace being deleted (what exists may
	// still change, so it can be cleaned up).
	_, err = s.Client().CoreV1().ConfigMaps(name).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "late"}}, metav1.CreateOptions{})
	if !apierrors.IsForbidden(err) || !hasCause(err, "metadata.namespace") {
		t.Errorf("create in a terminating namespace: %v, want 403", err)
	}
	// /finalize with the finalizer still there changes nothing.
	if _, err := nss.Finalize(ctx, ns, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("finalize keeping the finalizer: %v", err)
	}
	if _, err := nss.Get(ctx, name, metav1.GetOptions{}); err != nil {
		t.Fatalf("namespace gone though its finalizer stayed: %v", err)
	}
	ns, _ = nss.Get(ctx, name, metav1.GetOptions{})
	ns.Spec.Finalizers = nil
	if _, err := nss.Finalize(ctx, ns, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("finalize: %v", err)
	}
	if _, err := nss.Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("after finalize with no finalizers: %v, want NotFound", err)
	}
	_, err = s.Client().CoreV1().ConfigMaps(name).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "later"}}, metav1.CreateOptions{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("create in a deleted namespace: %v, want 404", err)
	}
}

// TestNamespaceLifecycle: no objects in namespaces that do not exist, and
// the system namespaces cannot be deleted.
func TestNamespaceLifecycle(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	_, err := s.Client().CoreV1().ConfigMaps("no-such-namespace").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, metav1.CreateOptions{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("create in a missing namespace: %v, want 404", err)
	}
	for _, ns := range []string{"default", "kube-system", "kube-public"} {
		if err := s.Client().CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}}); !apierrors.IsForbidden(err) {
			t.Errorf("deleting %s: %v, want 403", ns, err)
		}
	}
	// A namespace is usable at once after its creation.
	for i := range 5 {
		name := fmt.Sprintf("%s-fresh-%d", s.CreateNamespace(t), i)
		if _, err := s.Client().CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Client().CoreV1().ConfigMaps(name).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, metav1.CreateOptions{}); err != nil {
			t.Errorf("create right after the namespace: %v", err)
		}
	}
}

// TestDryRun: dryRun=All answers as the real request would and stores
// nothing, for every verb.
func TestDryRun(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	ns := s.CreateNamespace(t)
	cms := s.Client().CoreV1().ConfigMaps(ns)
	dry := []string{metav1.DryRunAll}

	out, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "dry"}, Data: map[string]string{"a": "1"}}, metav1.CreateOptions{DryRun: dry})
	if err != nil {
		t.Fatalf("dry-run create: %v", err)
	}
	if out.Name != "dry" || out.UID == "" || out.CreationTimestamp.IsZero() {
		t.Errorf("dry-run create answered %+v", out.ObjectMeta)
	}
	if _, err := cms.Get(ctx, "dry", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("dry-run create stored the object: %v", err)
	}
	gen, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{GenerateName: "dry-"}}, metav1.CreateOptions{DryRun: dry})
	if err != nil || gen.Name == "" || gen.Name == "dry-" {
		t.Errorf("dry-run create with generateName: %v %q", err, gen.GetName())
	}
	if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "BAD"}}, metav1.CreateOptions{DryRun: dry}); !apierrors.IsInvalid(err) {
		t.Errorf("dry-run create of an invalid object: %v, want 422", err)
	}

	real, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "real"}, Data: map[string]string{"a": "1"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	changed := real.DeepCopy()
	changed.Data["a"] = "2"
	if out, err := cms.Update(ctx, changed, metav1.UpdateOptions{DryRun: dry}); err != nil || out.Data["a"] != "2" {
		t.Errorf("dry-run update: %v %v", err, out)
	}
	if out, err := cms.Patch(ctx, "real", types.MergePatchType, []byte(`{"data":{"a":"3"}}`), metav1.PatchOptions{DryRun: dry}); err != nil || out.Data["a"] != "3" {
		t.Errorf("dry-run patch: %v %v", err, out)
	}
	force := true
	apply := `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"real"},"data":{"a":"4"}}`
	if out, err := cms.Patch(ctx, "real", types.ApplyPatchType, []byte(apply), metav1.PatchOptions{DryRun: dry, FieldManager: "dry", Force: &force}); err != nil || out.Data["a"] != "4" {
		t.Errorf("dry-run apply: %v %v", err, out)
	}
	if err := cms.Delete(ctx, "real", metav1.DeleteOptions{DryRun: dry}); err != nil {
		t.Errorf("dry-run delete: %v", err)
	}
	after, err := cms.Get(ctx, "real", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("after dry-run writes: %v", err)
	}
	if after.ResourceVersion != real.ResourceVersion || after.Data["a"] != "1" {
		t.Errorf("dry-run writes changed the object: rv %s -> %s, data %v", real.ResourceVersion, after.ResourceVersion, after.Data)
	}
	// A dry-run apply of an absent object creates nothing.
	if _, err := cms.Patch(ctx, "absent", types.ApplyPatchType, []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"absent"}}`), metav1.PatchOptions{DryRun: dry, FieldManager: "dry"}); err != nil {
		t.Errorf("dry-run apply creating: %v", err)
	}
	if _, err := cms.Get(ctx, "absent", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("dry-run apply stored the object: %v", err)
	}
	// Pods on a node: a dry-run delete does not start the grace period.
	pods := s.Client().CoreV1().Pods(ns)
	if _, err := pods.Create(ctx, testPod("dry-pod", "node-1", nil), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := pods.Delete(ctx, "dry-pod", metav1.DeleteOptions{DryRun: dry}); err != nil {
		t.Fatal(err)
	}
	if p, err := pods.Get(ctx, "dry-pod", metav1.GetOptions{}); err != nil || p.DeletionTimestamp != nil {
		t.Errorf("dry-run delete of a pod on a node: %v, deletionTimestamp %v", err, p.GetDeletionTimestamp())
	}
	// Bad dryRun values are refused.
	if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, metav1.CreateOptions{DryRun: []string{"Some"}}); statusCode(err) != 400 {
		t.Errorf("dryRun=Some: %v, want 400", err)
	}
}
