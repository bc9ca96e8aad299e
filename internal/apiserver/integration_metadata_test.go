package apiserver_test

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// TestServerOwnedMetadata: what the server owns (uid, creationTimestamp,
// generation, deletion fields, status on create) is never taken from the
// client.
func TestServerOwnedMetadata(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	ns := s.CreateNamespace(t)
	d := testDeployment("owned")
	d.UID = "client-uid"
	d.Generation = 7
	d.CreationTimestamp = metav1.NewTime(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))
	now := metav1.Now()
	d.DeletionTimestamp = &now
	d.Status.Replicas = 5
	out, err := s.Client().AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if out.UID == "client-uid" || out.Generation != 1 || out.CreationTimestamp.Year() == 2001 || out.DeletionTimestamp != nil || out.Status.Replicas != 0 {
		t.Errorf("client-set server fields kept: uid %s generation %d created %v deletion %v status.replicas %d",
			out.UID, out.Generation, out.CreationTimestamp, out.DeletionTimestamp, out.Status.Replicas)
	}
	// On update they are kept from the stored object.
	upd := out.DeepCopy()
	upd.CreationTimestamp = metav1.NewTime(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))
	upd.Generation = 40
	upd.Labels = map[string]string{"x": "y"}
	after, err := s.Client().AppsV1().Deployments(ns).Update(ctx, upd, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !after.CreationTimestamp.Equal(&out.CreationTimestamp) || after.Generation != out.Generation {
		t.Errorf("update changed creationTimestamp %v or generation %d", after.CreationTimestamp, after.Generation)
	}
	upd = after.DeepCopy()
	upd.UID = "other-uid"
	if _, err := s.Client().AppsV1().Deployments(ns).Update(ctx, upd, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Errorf("update with another uid: %v, want 409 (a uid precondition)", err)
	}
}

// TestStatusPatchAndApply: controllers write status by patch and by
// server-side apply on /status; either leaves the spec alone.
func TestStatusPatchAndApply(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	ns := s.CreateNamespace(t)
	deploys := s.Client().AppsV1().Deployments(ns)
	d, err := deploys.Create(ctx, testDeployment("st"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := deploys.Patch(ctx, "st", types.MergePatchType, []byte(`{"spec":{"replicas":9},"status":{"replicas":2,"observedGeneration":1}}`), metav1.PatchOptions{}, "status")
	if err != nil {
		t.Fatalf("status patch: %v", err)
	}
	if *out.Spec.Replicas != 1 || out.Status.Replicas != 2 || out.Generation != d.Generation {
		t.Errorf("status patch: spec.replicas %d status.replicas %d generation %d", *out.Spec.Replicas, out.Status.Replicas, out.Generation)
	}
	apply := `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"st"},"status":{"readyReplicas":1,"availableReplicas":1}}`
	out, err = deploys.Patch(ctx, "st", types.ApplyPatchType, []byte(apply), metav1.PatchOptions{FieldManager: "ctrl"}, "status")
	if err != nil {
		t.Fatalf("status apply: %v", err)
	}
	if out.Status.AvailableReplicas != 1 || out.Status.Replicas != 2 || *out.Spec.Replicas != 1 {
		t.Errorf("status apply: %+v spec.replicas %d", out.Status, *out.Spec.Replicas)
	}
	found := false
	for _, mf := range out.ManagedFields {
		found = found || (mf.Manager == "ctrl" && mf.Subresource == "status" && mf.Operation == metav1.ManagedFieldsOperationApply)
	}
	if !found {
		t.Errorf("no Apply entry for ctrl on status: %+v", out.ManagedFields)
	}
	// Status of a missing object is a 404, not a create.
	if _, err := deploys.Patch(ctx, "missing", types.ApplyPatchType, []byte(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"missing"},"status":{"replicas":1}}`),
		metav1.PatchOptions{FieldManager: "ctrl"}, "status"); !apierrors.IsNotFound(err) {
		t.Errorf("status apply of a missing object: %v, want 404", err)
	}
}

// TestPropagationPolicy: Orphan and Foreground deletions leave the object
// for the garbage collector, marked with upstream's finalizers.
func TestPropagationPolicy(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	ns := s.CreateNamespace(t)
	cms := s.Client().CoreV1().ConfigMaps(ns)
	for _, tt := range []struct {
		policy    metav1.DeletionPropagation
		finalizer string
	}{
		{metav1.DeletePropagationOrphan, metav1.FinalizerOrphanDependents},
		{metav1.DeletePropagationForeground, metav1.FinalizerDeleteDependents},
		{metav1.DeletePropagationBackground, ""},
	} {
		name := map[metav1.DeletionPropagation]string{"Orphan": "orphan", "Foreground": "foreground", "Background": "background"}[tt.policy]
		if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		policy := tt.policy
		if err := cms.Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: &policy}); err != nil {
			t.Fatal(err)
		}
		cm, err := cms.Get(ctx, name, metav1.GetOptions{})
		if tt.finalizer == "" {
			if !apierrors.IsNotFound(err) {
				t.Errorf("%s: %v, want deleted", tt.policy, err)
			}
			continue
		}
		if err != nil || cm.DeletionTimestamp == nil || len(cm.Finalizers) != 1 || cm.Finalizers[0] != tt.finalizer {
			t.Errorf("%s: %v %+v, want marked with %s", tt.policy, err, cm.GetObjectMeta(), tt.finalizer)
		}
	}
}
