package apiserver_test

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/builtin"
)

// statusCases says, per kind with a /status subresource, one spec field
// and one status field a client may change.
var statusCases = map[string]struct {
	specPath   []string
	specValue  interface{}
	statusPath []string
	statusVal  interface{}
}{
	"/v1/pods": {[]string{"spec", "activeDeadlineSeconds"}, int64(100), []string{"status", "message"}, "hello"},
	"/v1/services": {[]string{"spec", "sessionAffinity"}, "ClientIP", []string{"status", "conditions"}, []interface{}{map[string]interface{}{
		"type": "Ready", "status": "True", "reason": "Ready", "message": "ok", "lastTransitionTime": "2024-01-01T00:00:00Z"}}},
	"/v1/nodes":                  {[]string{"spec", "unschedulable"}, true, []string{"status", "capacity"}, map[string]interface{}{"pods": "10"}},
	"/v1/persistentvolumes":      {[]string{"spec", "persistentVolumeReclaimPolicy"}, "Delete", []string{"status", "message"}, "hello"},
	"/v1/persistentvolumeclaims": {nil, nil, []string{"status", "phase"}, "Bound"},
	"/v1/resourcequotas":         {[]string{"spec", "hard"}, map[string]interface{}{"pods": "20"}, []string{"status", "hard"}, map[string]interface{}{"pods": "10"}},
	"/v1/replicationcontrollers": {[]string{"spec", "replicas"}, int64(3), []string{"status", "replicas"}, int64(2)},
	"apps/v1/deployments":        {[]string{"spec", "replicas"}, int64(3), []string{"status", "replicas"}, int64(2)},
	"apps/v1/replicasets":        {[]string{"spec", "replicas"}, int64(3), []string{"status", "replicas"}, int64(2)},
	"apps/v1/statefulsets":       {[]string{"spec", "replicas"}, int64(3), []string{"status", "replicas"}, int64(2)},
	"apps/v1/daemonsets":         {[]string{"spec", "minReadySeconds"}, int64(5), []string{"status", "desiredNumberScheduled"}, int64(2)},
	"batch/v1/jobs":              {[]string{"spec", "parallelism"}, int64(2), []string{"status", "active"}, int64(1)},
	"batch/v1/cronjobs":          {[]string{"spec", "suspend"}, true, []string{"status", "lastScheduleTime"}, "2024-01-01T00:00:00Z"},
	"networking.k8s.io/v1/ingresses": {[]string{"spec", "defaultBackend", "service", "port", "number"}, int64(81),
		[]string{"status", "loadBalancer"}, map[string]interface{}{"ingress": []interface{}{map[string]interface{}{"ip": "192.0.2.1"}}}},
	"policy/v1/poddisruptionbudgets":      {[]string{"spec", "minAvailable"}, int64(2), []string{"status", "currentHealthy"}, int64(1)},
	"storage.k8s.io/v1/csinodes":          {nil, nil, []string{"status", "storageHealth"}, []interface{}{map[string]interface{}{"name": "example.com.disk"}}},
	"storage.k8s.io/v1/volumeattachments": {nil, nil, []string{"status", "attached"}, true},
	"resource.k8s.io/v1/resourceclaims": {nil, nil, []string{"status", "allocation"}, map[string]interface{}{"devices": map[string]interface{}{
		"results": []interface{}{map[string]interface{}{"request": "gpu", "driver": "gpu.example.com", "pool": "node-1", "device": "gpu-0"}}}}},
	"resource.k8s.io/v1/devicetaintrules": {[]string{"spec", "taint", "value"}, "v2", []string{"status", "conditions"}, []interface{}{map[string]interface{}{
		"type": "EvictionInProgress", "status": "True", "reason": "Evicting", "message": "ok", "lastTransitionTime": "2024-01-01T00:00:00Z"}}},
	// Namespaces: status is only the phase the server sets; see the
	// namespace deletion test.
	"/v1/namespaces": {},
}

// TestStatusOnlyThroughStatus: for every kind with /status, status changes
// sent to the main resource are dropped, spec changes sent to /status are
// dropped, and generation counts spec changes only.
func TestStatusOnlyThroughStatus(t *testing.T) {
	s := server(t)
	ns := s.CreateNamespace(t)
	dc := dynamicClient(t, s)
	for _, res := range builtin.Resources() {
		if !res.HasSubresource("status") {
			continue
		}
		tc, ok := statusCases[resourceKey(res)]
		if !ok {
			t.Errorf("%s has /status but no statusCases entry", resourceKey(res))
			continue
		}
		if tc.statusPath == nil {
			continue
		}
		t.Run(resourceKey(res), func(t *testing.T) {
			t.Parallel()
			ctx := ctxFor(t)
			name := "status"
			rc := dc.Resource(gvrOf(res)).Namespace(ns)
			if !res.Namespaced {
				name = ns + "-status"
				rc = dc.Resource(gvrOf(res))
			}
			obj, err := rc.Create(ctx, minimalObject(t, res, ns, name), metav1.CreateOptions{})
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			// Kinds with a spec start at generation 1; nodes, as upstream,
			// have no generation (0) and keep it.
			gen := obj.GetGeneration()
			wantBump := int64(1)
			if res.Plural == "nodes" {
				wantBump = 0
			}
			if gen != wantBump {
				t.Errorf("generation after create = %d, want %d", gen, wantBump)
			}
			original := obj.DeepCopy()

			// Status through the main resource: ignored.
			withStatus := obj.DeepCopy()
			mustSet(t, withStatus, tc.statusVal, tc.statusPath...)
			out, err := rc.Update(ctx, withStatus, metav1.UpdateOptions{})
			if err != nil {
				t.Fatalf("update with status: %v", err)
			}
			if got, _, _ := unstructured.NestedFieldNoCopy(out.Object, tc.statusPath...); equality.Semantic.DeepEqual(got, tc.statusVal) {
				t.Errorf("status %v changed through the main resource", tc.statusPath)
			}
			if out.GetGeneration() != gen {
				t.Errorf("generation %d after a status-only update, want %d", out.GetGeneration(), gen)
			}

			// Spec and status through /status: only status changes.
			both := out.DeepCopy()
			mustSet(t, both, tc.statusVal, tc.statusPath...)
			if tc.specPath != nil {
				mustSet(t, both, tc.specValue, tc.specPath...)
			}
			out, err = rc.UpdateStatus(ctx, both, metav1.UpdateOptions{})
			if err != nil {
				t.Fatalf("update /status: %v", err)
			}
			if got, _, _ := unstructured.NestedFieldNoCopy(out.Object, tc.statusPath...); !equality.Semantic.DeepEqual(got, tc.statusVal) {
				t.Errorf("status %v = %v after /status update, want %v", tc.statusPath, got, tc.statusVal)
			}
			if !equality.Semantic.DeepEqual(out.Object["spec"], original.Object["spec"]) {
				t.Errorf("spec changed through /status: %v", out.Object["spec"])
			}
			if out.GetGeneration() != gen {
				t.Errorf("generation %d after a /status update, want %d", out.GetGeneration(), gen)
			}
			if tc.specPath == nil {
				return
			}

			// Metadata only: no generation bump. (Labels: a Deployment's
			// annotation change does bump it, as upstream, since they are
			// copied to its ReplicaSets.)
			out.SetLabels(map[string]string{"a": "b"})
			if out, err = rc.Update(ctx, out, metav1.UpdateOptions{}); err != nil {
				t.Fatalf("metadata update: %v", err)
			}
			if out.GetGeneration() != gen {
				t.Errorf("generation %d after a metadata update, want %d", out.GetGeneration(), gen)
			}
			// Spec: generation + 1, status kept.
			mustSet(t, out, tc.specValue, tc.specPath...)
			if out, err = rc.Update(ctx, out, metav1.UpdateOptions{}); err != nil {
				t.Fatalf("spec update: %v", err)
			}
			if out.GetGeneration() != gen+wantBump {
				t.Errorf("generation %d after a spec update, want %d", out.GetGeneration(), gen+wantBump)
			}
			if got, _, _ := unstructured.NestedFieldNoCopy(out.Object, tc.statusPath...); !equality.Semantic.DeepEqual(got, tc.statusVal) {
				t.Errorf("status %v = %v after a spec update, want it kept (%v)", tc.statusPath, got, tc.statusVal)
			}
		})
	}
}

func mustSet(t *testing.T, u *unstructured.Unstructured, value interface{}, path ...string) {
	t.Helper()
	if err := unstructured.SetNestedField(u.Object, value, path...); err != nil {
		t.Fatalf("setting %v: %v", path, err)
	}
}
