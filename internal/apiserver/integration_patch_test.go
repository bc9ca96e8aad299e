package apiserver_test

import (
	"net/http"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// TestPatchDeploymentContainers: the three patch types treat a
// Deployment's containers list as upstream does: a strategic merge patch
// merges by name, a merge patch replaces the list, a JSON patch edits it by
// index.
func TestPatchDeploymentContainers(t *testing.T) {
	s := server(t)
	ns := s.CreateNamespace(t)
	tests := []struct {
		name  string
		pt    types.PatchType
		patch string
		want  map[string]string // container name -> image
	}{
		{"strategic adds by name", types.StrategicMergePatchType,
			`{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"nginx:1"}]}}}}`,
			map[string]string{"c": "busybox:1", "sidecar": "nginx:1"}},
		{"strategic updates by name", types.StrategicMergePatchType,
			`{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"busybox:2"}]}}}}`,
			map[string]string{"c": "busybox:2"}},
		{"strategic deletes by name", types.StrategicMergePatchType,
			`{"spec":{"template":{"spec":{"containers":[{"name":"c","$patch":"delete"},{"name":"d","image":"x:1"}]}}}}`,
			map[string]string{"d": "x:1"}},
		{"merge replaces the list", types.MergePatchType,
			`{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"nginx:1"}]}}}}`,
			map[string]string{"sidecar": "nginx:1"}},
		{"json patch appends", types.JSONPatchType,
			`[{"op":"add","path":"/spec/template/spec/containers/-","value":{"name":"sidecar","image":"nginx:1"}}]`,
			map[string]string{"c": "busybox:1", "sidecar": "nginx:1"}},
		{"json patch replaces by index", types.JSONPatchType,
			`[{"op":"test","path":"/spec/template/spec/containers/0/name","value":"c"},{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"busybox:3"}]`,
			map[string]string{"c": "busybox:3"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := ctxFor(t)
			deploys := s.Client().AppsV1().Deployments(ns)
			name := "patch-" + string(rune('a'+i))
			d, err := deploys.Create(ctx, testDeployment(name), metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			out, err := deploys.Patch(ctx, name, tt.pt, []byte(tt.patch), metav1.PatchOptions{})
			if err != nil {
				t.Fatalf("patch: %v", err)
			}
			got := map[string]string{}
			for _, c := range out.Spec.Template.Spec.Containers {
				got[c.Name] = c.Image
				// Defaults apply to containers added by a patch too.
				if c.ImagePullPolicy == "" || c.TerminationMessagePath == "" {
					t.Errorf("container %s not defaulted: %+v", c.Name, c)
				}
			}
			if !equalMaps(got, tt.want) {
				t.Errorf("containers %v, want %v", got, tt.want)
			}
			if out.Generation != d.Generation+1 {
				t.Errorf("generation %d after a template patch, want %d", out.Generation, d.Generation+1)
			}
		})
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}

// TestPatchErrors: what cannot be applied is refused with upstream's
// codes and nothing is stored.
func TestPatchErrors(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	ns := s.CreateNamespace(t)
	deploys := s.Client().AppsV1().Deployments(ns)
	d, err := deploys.Create(ctx, testDeployment("patch-errors"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		pt    types.PatchType
		patch string
		code  int
	}{
		{"json patch test fails", types.JSONPatchType, `[{"op":"test","path":"/spec/replicas","value":9}]`, http.StatusUnprocessableEntity},
		{"json patch path missing", types.JSONPatchType, `[{"op":"replace","path":"/spec/nothing/here","value":1}]`, http.StatusUnprocessableEntity},
		{"json patch malformed", types.JSONPatchType, `{"op":"add"}`, http.StatusBadRequest},
		{"json patch not json", types.JSONPatchType, `[{`, http.StatusBadRequest},
		{"merge patch not json", types.MergePatchType, `{"spec":`, http.StatusBadRequest},
		{"strategic patch not json", types.StrategicMergePatchType, `nope`, http.StatusBadRequest},
		{"strategic patch wrong type", types.StrategicMergePatchType, `{"spec":{"replicas":"many"}}`, http.StatusUnprocessableEntity},
		{"merge patch wrong type", types.MergePatchType, `{"spec":{"replicas":"many"}}`, http.StatusUnprocessableEntity},
		{"strategic patch bad directive", types.StrategicMergePatchType, `{"spec":{"template":{"spec":{"containers":[{"$patch":"explode"}]}}}}`, http.StatusBadRequest},
		{"patch makes it invalid", types.MergePatchType, `{"spec":{"replicas":-1}}`, http.StatusUnprocessableEntity},
		{"patch changes the selector", types.MergePatchType, `{"spec":{"selector":{"matchLabels":{"app":"other"}}}}`, http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := deploys.Patch(ctx, d.Name, tt.pt, []byte(tt.patch), metav1.PatchOptions{})
			if code := statusCode(err); code != tt.code {
				t.Errorf("got %d (%v), want %d", code, err, tt.code)
			}
		})
	}
	after, err := deploys.Get(ctx, d.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if after.ResourceVersion != d.ResourceVersion {
		t.Errorf("refused patches changed the object (rv %s -> %s)", d.ResourceVersion, after.ResourceVersion)
	}
}

// statusCode is the HTTP code of an API error (0 for nil, -1 for non-API).
func statusCode(err error) int {
	if err == nil {
		return 0
	}
	var st apierrors.APIStatus
	if s, ok := err.(apierrors.APIStatus); ok {
		st = s
		return int(st.Status().Code)
	}
	return -1
}

// TestServerSideApply: create by apply, ownership per manager, conflicts
// between managers and force, as `kubectl apply --server-side` uses them.
func TestServerSideApply(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	ns := s.CreateNamespace(t)
	cms := s.Client().CoreV1().ConfigMaps(ns)
	apply := func(manager string, force bool, body string) (*corev1.ConfigMap, error) {
		return cms.Patch(ctx, "ssa", types.ApplyPatchType, []byte(body), metav1.PatchOptions{FieldManager: manager, Force: &force})
	}
	cm := func(data string) string {
		return `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ssa"},"data":{` + data + `}}`
	}

	created, err := apply("alice", false, cm(`"a":"1"`))
	if err != nil {
		t.Fatalf("apply creating the object: %v", err)
	}
	if created.UID == "" || created.Data["a"] != "1" {
		t.Fatalf("created by apply: %+v", created)
	}
	wantManagers(t, created.ManagedFields, map[string]metav1.ManagedFieldsOperationType{"alice": metav1.ManagedFieldsOperationApply})

	both, err := apply("bob", false, cm(`"b":"2"`))
	if err != nil {
		t.Fatalf("second manager applying another field: %v", err)
	}
	if both.Data["a"] != "1" || both.Data["b"] != "2" {
		t.Errorf("data %v, want a=1 b=2", both.Data)
	}
	wantManagers(t, both.ManagedFields, map[string]metav1.ManagedFieldsOperationType{
		"alice": metav1.ManagedFieldsOperationApply, "bob": metav1.ManagedFieldsOperationApply})

	_, err = apply("bob", false, cm(`"b":"2","a":"3"`))
	if !apierrors.IsConflict(err) {
		t.Fatalf("apply of a field another manager owns: %v, want 409 Conflict", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "alice") || !strings.Contains(msg, ".data.a") {
		t.Errorf("conflict message %q should name the owner and the field", msg)
	}

	forced, err := apply("bob", true, cm(`"b":"2","a":"3"`))
	if err != nil {
		t.Fatalf("forced apply: %v", err)
	}
	if forced.Data["a"] != "3" {
		t.Errorf("forced apply: data %v", forced.Data)
	}
	// alice lost .data.a; she still owns nothing else, so she is gone.
	for _, mf := range forced.ManagedFields {
		if mf.Manager == "alice" && strings.Contains(string(mf.FieldsV1.Raw), `"f:a"`) {
			t.Errorf("alice still owns data.a after bob forced it: %s", mf.FieldsV1.Raw)
		}
	}

	// An update (PUT) is recorded as an Update operation of its manager.
	forced.Data["c"] = "4"
	updated, err := cms.Update(ctx, forced, metav1.UpdateOptions{FieldManager: "carol"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, mf := range updated.ManagedFields {
		found = found || (mf.Manager == "carol" && mf.Operation == metav1.ManagedFieldsOperationUpdate)
	}
	if !found {
		t.Errorf("no Update entry for carol in %v", updated.ManagedFields)
	}

	// Apply needs a field manager, and an object of the URL's kind and name.
	if _, err := cms.Patch(ctx, "ssa", types.ApplyPatchType, []byte(cm(`"a":"5"`)), metav1.PatchOptions{}); statusCode(err) != http.StatusBadRequest {
		t.Errorf("apply without fieldManager: %v, want 400", err)
	}
	if _, err := cms.Patch(ctx, "other", types.ApplyPatchType, []byte(cm(`"a":"5"`)), metav1.PatchOptions{FieldManager: "x"}); statusCode(err) != http.StatusBadRequest {
		t.Errorf("apply with a name not matching the URL: %v, want 400", err)
	}
	if _, err := cms.Patch(ctx, "ssa", types.ApplyPatchType, []byte(`{"apiVersion":"v1","kind":"Secret","metadata":{"name":"ssa"}}`), metav1.PatchOptions{FieldManager: "x"}); statusCode(err) != http.StatusBadRequest {
		t.Errorf("apply of another kind: %v, want 400", err)
	}
}

func wantManagers(t *testing.T, got []metav1.ManagedFieldsEntry, want map[string]metav1.ManagedFieldsOperationType) {
	t.Helper()
	have := map[string]metav1.ManagedFieldsOperationType{}
	for _, mf := range got {
		have[mf.Manager] = mf.Operation
	}
	if len(have) != len(want) {
		t.Errorf("managers %v, want %v", have, want)
		return
	}
	for m, op := range want {
		if have[m] != op {
			t.Errorf("managers %v, want %v", have, want)
			return
		}
	}
}

// TestServerSideApplyDeployment applies a Deployment the way client-go's
// typed Apply does, then has a second manager take over the image.
func TestServerSideApplyDeployment(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	ns := s.CreateNamespace(t)
	deploys := s.Client().AppsV1().Deployments(ns)
	manifest := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1
`
	d, err := deploys.Patch(ctx, "web", types.ApplyPatchType, []byte(manifest), metav1.PatchOptions{FieldManager: "kubectl"})
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if *d.Spec.Replicas != 2 || d.Spec.Template.Spec.Containers[0].ImagePullPolicy != corev1.PullIfNotPresent {
		t.Errorf("applied deployment not as applied and defaulted: %+v", d.Spec)
	}
	// Re-applying the same manifest changes nothing.
	again, err := deploys.Patch(ctx, "web", types.ApplyPatchType, []byte(manifest), metav1.PatchOptions{FieldManager: "kubectl"})
	if err != nil {
		t.Fatal(err)
	}
	if again.ResourceVersion != d.ResourceVersion || again.Generation != d.Generation {
		t.Errorf("idempotent apply wrote: rv %s -> %s, generation %d -> %d", d.ResourceVersion, again.ResourceVersion, d.Generation, again.Generation)
	}
	// Another manager setting the image conflicts, as the image is kubectl's.
	image := `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:2"}]}}}}`
	_, err = deploys.Patch(ctx, "web", types.ApplyPatchType, []byte(image), metav1.PatchOptions{FieldManager: "ci"})
	if !apierrors.IsConflict(err) {
		t.Fatalf("apply of another manager's image: %v, want conflict", err)
	}
	force := true
	d, err = deploys.Patch(ctx, "web", types.ApplyPatchType, []byte(image), metav1.PatchOptions{FieldManager: "ci", Force: &force})
	if err != nil {
		t.Fatal(err)
	}
	var got appsv1.Deployment = *d
	if c := got.Spec.Template.Spec.Containers; len(c) != 1 || c[0].Image != "nginx:2" || *got.Spec.Replicas != 2 {
		t.Errorf("after forced apply: replicas %d containers %+v", *got.Spec.Replicas, c)
	}
}
