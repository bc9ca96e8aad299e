package apiserver_test

import (
	"encoding/json"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/builtin"
	"github.com/hanok-dev/hanok/internal/testserver"
)

// TestCRUDEveryKind creates, reads, lists, updates, patches and deletes a
// minimal valid object of every served kind, once with the dynamic client
// (JSON) and once with a typed REST client speaking protobuf, as client-go
// based components do.
func TestCRUDEveryKind(t *testing.T) {
	s := server(t)
	ns := s.CreateNamespace(t)
	for _, res := range builtin.Resources() {
		for _, ct := range []string{runtime.ContentTypeJSON, runtime.ContentTypeProtobuf} {
			t.Run(resourceKey(res)+"/"+ct, func(t *testing.T) {
				t.Parallel()
				name := fmt.Sprintf("crud-%s", map[string]string{runtime.ContentTypeJSON: "json", runtime.ContentTypeProtobuf: "pb"}[ct])
				if !res.Namespaced {
					name = ns + "-" + name // cluster-scoped: unique per run
				}
				if ct == runtime.ContentTypeJSON {
					crudDynamic(t, s, res, ns, name)
				} else {
					crudTyped(t, s, res, ns, name, ct)
				}
			})
		}
	}
}

// crudDynamic runs the CRUD cycle with unstructured objects over JSON.
func crudDynamic(t *testing.T, s *testserver.Server, res *registry.Resource, ns, name string) {
	ctx := ctxFor(t)
	client := dynamicClient(t, s).Resource(gvrOf(res))
	var rc = client.Namespace(ns)
	if !res.Namespaced {
		rc = client
	}
	created, err := rc.Create(ctx, minimalObject(t, res, ns, name), metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	checkServerMetadata(t, created)
	if created.GetAPIVersion() != res.GroupVersion.String() || created.GetKind() != res.Kind {
		t.Errorf("create answered %s %s, want %s %s", created.GetAPIVersion(), created.GetKind(), res.GroupVersion, res.Kind)
	}

	got, err := rc.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.GetResourceVersion() != created.GetResourceVersion() || got.GetUID() != created.GetUID() {
		t.Errorf("get: rv %s uid %s, want %s %s", got.GetResourceVersion(), got.GetUID(), created.GetResourceVersion(), created.GetUID())
	}

	list, err := rc.List(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + name})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if len(list.Items) != 1 || list.Items[0].GetName() != name {
		t.Errorf("list by name: %d items", len(list.Items))
	}
	if list.GetResourceVersion() == "" {
		t.Error("list has no resourceVersion")
	}

	got.SetLabels(map[string]string{"updated": "yes"})
	updated, err := rc.Update(ctx, got, metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if updated.GetLabels()["updated"] != "yes" || updated.GetResourceVersion() == got.GetResourceVersion() {
		t.Errorf("update: labels %v rv %s (was %s)", updated.GetLabels(), updated.GetResourceVersion(), got.GetResourceVersion())
	}
	if updated.GetUID() != created.GetUID() || !updated.GetCreationTimestamp().Time.Equal(created.GetCreationTimestamp().Time) {
		t.Errorf("update changed uid or creationTimestamp")
	}

	patched, err := rc.Patch(ctx, name, types.MergePatchType, []byte(`{"metadata":{"annotations":{"patched":"yes"}}}`), metav1.PatchOptions{})
	if err != nil {
		t.Fatalf("merge patch: %v", err)
	}
	if patched.GetAnnotations()["patched"] != "yes" || patched.GetLabels()["updated"] != "yes" {
		t.Errorf("patch: annotations %v labels %v", patched.GetAnnotations(), patched.GetLabels())
	}

	if err := rc.Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	after, err := rc.Get(ctx, name, metav1.GetOptions{})
	switch {
	case res.Plural == "namespaces" && err == nil:
		// Namespaces wait for the namespace controller (spec.finalizers).
		if after.GetDeletionTimestamp() == nil {
			t.Errorf("deleted namespace has no deletionTimestamp")
		}
	case !apierrors.IsNotFound(err):
		t.Errorf("get after delete: %v, want NotFound", err)
	}
}

// checkServerMetadata checks what the server sets on create.
func checkServerMetadata(t *testing.T, obj metav1.Object) {
	t.Helper()
	if obj.GetUID() == "" || obj.GetResourceVersion() == "" || obj.GetCreationTimestamp().Time.IsZero() {
		t.Errorf("created object lacks server metadata: uid %q rv %q created %v",
			obj.GetUID(), obj.GetResourceVersion(), obj.GetCreationTimestamp())
	}
	if len(obj.GetManagedFields()) == 0 {
		t.Errorf("created object has no managedFields")
	}
}

// typedRESTClient is a REST client for res's group version with typed
// objects from client-go's scheme, in contentType.
func typedRESTClient(t testing.TB, s *testserver.Server, res *registry.Resource, contentType string) rest.Interface {
	t.Helper()
	cfg := s.RESTConfig()
	gv := res.GroupVersion
	cfg.GroupVersion = &gv
	cfg.APIPath = "/apis"
	if gv.Group == "" {
		cfg.APIPath = "/api"
	}
	cfg.NegotiatedSerializer = scheme.Codecs.WithoutConversion()
	cfg.ContentType = contentType
	cfg.AcceptContentTypes = contentType
	rc, err := rest.RESTClientFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

// typedObject converts an unstructured object into its k8s.io/api type.
func typedObject(t testing.TB, u *unstructured.Unstructured) runtime.Object {
	t.Helper()
	obj, err := scheme.Scheme.New(u.GroupVersionKind())
	if err != nil {
		t.Fatal(err)
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, obj); err != nil {
		t.Fatal(err)
	}
	return obj
}

// crudTyped runs the CRUD cycle with typed objects in contentType.
func crudTyped(t *testing.T, s *testserver.Server, res *registry.Resource, ns, name, contentType string) {
	ctx := ctxFor(t)
	rc := typedRESTClient(t, s, res, contentType)
	newObj := func() runtime.Object { return res.New() }

	created := newObj()
	err := rc.Post().NamespaceIfScoped(ns, res.Namespaced).Resource(res.Plural).Body(typedObject(t, minimalObject(t, res, ns, name))).Do(ctx).Into(created)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	cm, _ := meta.Accessor(created)
	checkServerMetadata(t, cm)

	got := newObj()
	if err := rc.Get().NamespaceIfScoped(ns, res.Namespaced).Resource(res.Plural).Name(name).Do(ctx).Into(got); err != nil {
		t.Fatalf("get: %v", err)
	}
	gm, _ := meta.Accessor(got)
	if gm.GetResourceVersion() != cm.GetResourceVersion() {
		t.Errorf("get: rv %s, want %s", gm.GetResourceVersion(), cm.GetResourceVersion())
	}

	list := res.NewList()
	if err := rc.Get().NamespaceIfScoped(ns, res.Namespaced).Resource(res.Plural).Param("fieldSelector", "metadata.name="+name).Do(ctx).Into(list); err != nil {
		t.Fatalf("list: %v", err)
	}
	if n := meta.LenList(list); n != 1 {
		t.Errorf("list by name: %d items", n)
	}

	gm.SetLabels(map[string]string{"updated": "yes"})
	updated := newObj()
	if err := rc.Put().NamespaceIfScoped(ns, res.Namespaced).Resource(res.Plural).Name(name).Body(got).Do(ctx).Into(updated); err != nil {
		t.Fatalf("update: %v", err)
	}
	um, _ := meta.Accessor(updated)
	if um.GetLabels()["updated"] != "yes" || um.GetResourceVersion() == gm.GetResourceVersion() {
		t.Errorf("update: labels %v rv %s", um.GetLabels(), um.GetResourceVersion())
	}

	patch, _ := json.Marshal(map[string]interface{}{"metadata": map[string]interface{}{"annotations": map[string]string{"patched": "yes"}}})
	patched := newObj()
	if err := rc.Patch(types.MergePatchType).NamespaceIfScoped(ns, res.Namespaced).Resource(res.Plural).Name(name).Body(patch).Do(ctx).Into(patched); err != nil {
		t.Fatalf("patch: %v", err)
	}
	if pm, _ := meta.Accessor(patched); pm.GetAnnotations()["patched"] != "yes" {
		t.Errorf("patch: annotations %v", pm.GetAnnotations())
	}

	if err := rc.Delete().NamespaceIfScoped(ns, res.Namespaced).Resource(res.Plural).Name(name).Do(ctx).Error(); err != nil {
		t.Fatalf("delete: %v", err)
	}
	err = rc.Get().NamespaceIfScoped(ns, res.Namespaced).Resource(res.Plural).Name(name).Do(ctx).Into(newObj())
	if res.Plural != "namespaces" && !apierrors.IsNotFound(err) {
		t.Errorf("get after delete: %v, want NotFound", err)
	}
}

// TestGenerateName: the server completes the name and two creates from the
// same generateName get different names.
func TestGenerateName(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	ns := s.CreateNamespace(t)
	cms := s.Client().CoreV1().ConfigMaps(ns)
	seen := map[string]bool{}
	for range 5 {
		cm, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{GenerateName: "gen-"}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(cm.Name) != len("gen-")+5 || cm.Name[:4] != "gen-" || cm.GenerateName != "gen-" {
			t.Errorf("generated name %q (generateName %q)", cm.Name, cm.GenerateName)
		}
		if seen[cm.Name] {
			t.Errorf("name %s generated twice", cm.Name)
		}
		seen[cm.Name] = true
	}
}
