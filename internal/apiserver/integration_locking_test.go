package apiserver_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// TestOptimisticLocking: a write carrying a stale resourceVersion is a 409
// Conflict and changes nothing, whatever the verb or subresource.
func TestOptimisticLocking(t *testing.T) {
	s := server(t)
	ns := s.CreateNamespace(t)
	for _, ct := range []string{"application/json", "application/vnd.kubernetes.protobuf"} {
		t.Run(ct, func(t *testing.T) {
			ctx := ctxFor(t)
			cs := clientFor(t, s, ct)
			cms := cs.CoreV1().ConfigMaps(ns)
			name := map[string]string{"application/json": "lock-json", "application/vnd.kubernetes.protobuf": "lock-pb"}[ct]
			first, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"v": "1"}}, metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			second := first.DeepCopy()
			second.Data["v"] = "2"
			current, err := cms.Update(ctx, second, metav1.UpdateOptions{})
			if err != nil {
				t.Fatal(err)
			}

			stale := first.DeepCopy()
			stale.Data["v"] = "stale"
			if _, err := cms.Update(ctx, stale, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
				t.Errorf("update with stale resourceVersion: %v, want 409 Conflict", err)
			}
			patches := []struct {
				pt   types.PatchType
				body string
			}{
				{types.MergePatchType, `{"metadata":{"resourceVersion":"` + first.ResourceVersion + `"},"data":{"v":"stale"}}`},
				{types.StrategicMergePatchType, `{"metadata":{"resourceVersion":"` + first.ResourceVersion + `"},"data":{"v":"stale"}}`},
				{types.JSONPatchType, `[{"op":"replace","path":"/metadata/resourceVersion","value":"` + first.ResourceVersion + `"},{"op":"replace","path":"/data/v","value":"stale"}]`},
			}
			for _, p := range patches {
				if _, err := cms.Patch(ctx, name, p.pt, []byte(p.body), metav1.PatchOptions{}); !apierrors.IsConflict(err) {
					t.Errorf("%s patch with stale resourceVersion: %v, want 409 Conflict", p.pt, err)
				}
			}
			// A stale delete precondition conflicts too.
			if err := cms.Delete(ctx, name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{ResourceVersion: &first.ResourceVersion}}); !apierrors.IsConflict(err) {
				t.Errorf("delete with stale resourceVersion precondition: %v, want 409 Conflict", err)
			}
			wrongUID := types.UID("not-the-uid")
			if err := cms.Delete(ctx, name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &wrongUID}}); !apierrors.IsConflict(err) {
				t.Errorf("delete with wrong uid precondition: %v, want 409 Conflict", err)
			}

			after, err := cms.Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if after.ResourceVersion != current.ResourceVersion || after.Data["v"] != "2" {
				t.Errorf("after refused writes: rv %s data %v, want rv %s data v=2", after.ResourceVersion, after.Data, current.ResourceVersion)
			}

			// The current resourceVersion works; no resourceVersion is an
			// unconditional update, as upstream allows for most kinds.
			after.Data["v"] = "3"
			if _, err := cms.Update(ctx, after, metav1.UpdateOptions{}); err != nil {
				t.Errorf("update with current resourceVersion: %v", err)
			}
			after.ResourceVersion = ""
			after.Data["v"] = "4"
			if _, err := cms.Update(ctx, after, metav1.UpdateOptions{}); err != nil {
				t.Errorf("unconditional update: %v", err)
			}
		})
	}
}

// TestOptimisticLockingSubresources: /status and /scale honour the
// resourceVersion they are sent too.
func TestOptimisticLockingSubresources(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	ns := s.CreateNamespace(t)
	deploys := s.Client().AppsV1().Deployments(ns)
	d, err := deploys.Create(ctx, testDeployment("locked"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d2 := d.DeepCopy()
	d2.Labels = map[string]string{"bump": "1"}
	current, err := deploys.Update(ctx, d2, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stale := d.DeepCopy()
	stale.Status.Replicas = 7
	if _, err := deploys.UpdateStatus(ctx, stale, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Errorf("stale /status update: %v, want 409", err)
	}
	scale, err := deploys.GetScale(ctx, "locked", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	scale.ResourceVersion = d.ResourceVersion
	scale.Spec.Replicas = 5
	if _, err := deploys.UpdateScale(ctx, "locked", scale, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Errorf("stale /scale update: %v, want 409", err)
	}
	after, err := deploys.Get(ctx, "locked", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if after.ResourceVersion != current.ResourceVersion || *after.Spec.Replicas != 1 || after.Status.Replicas != 0 {
		t.Errorf("refused writes changed the deployment: rv %s replicas %d status %d", after.ResourceVersion, *after.Spec.Replicas, after.Status.Replicas)
	}
}

// TestUpdateMissingObject: PUT of an object that does not exist is a 404
// (no kind served here allows create-on-update).
func TestUpdateMissingObject(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	ns := s.CreateNamespace(t)
	var cs kubernetes.Interface = s.Client()
	_, err := cs.CoreV1().ConfigMaps(ns).Update(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "missing"}}, metav1.UpdateOptions{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("update of a missing object: %v, want 404", err)
	}
	_, err = cs.CoreV1().ConfigMaps(ns).Patch(ctx, "missing", types.MergePatchType, []byte(`{"data":{"a":"b"}}`), metav1.PatchOptions{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("patch of a missing object: %v, want 404", err)
	}
}
