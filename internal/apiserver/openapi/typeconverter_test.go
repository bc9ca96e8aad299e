package openapi

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/managedfields"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
)

func testPod(containers ...string) *corev1.Pod {
	pod := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", Labels: map[string]string{"app": "web"}},
	}
	for _, name := range containers {
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{
			Name: name, Image: "nginx",
			Ports: []corev1.ContainerPort{{ContainerPort: 80, Protocol: corev1.ProtocolTCP}},
			Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{
				corev1.ResourceCPU: resource.MustParse("500m"),
			}},
		})
	}
	return pod
}

func TestTypeConverterTypedObjects(t *testing.T) {
	tc := service(t).TypeConverter()
	replicas := int32(2)
	maxSurge := intstr.FromString("25%")
	deploy := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Strategy: appsv1.DeploymentStrategy{RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &maxSurge}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec:       testPod("nginx").Spec,
			},
		},
	}
	for _, obj := range []runtime.Object{testPod("a", "b"), deploy} {
		tv, err := tc.ObjectToTyped(obj)
		if err != nil {
			t.Fatalf("%T: ObjectToTyped: %v", obj, err)
		}
		if err := tv.Validate(); err != nil {
			t.Errorf("%T: typed value does not validate: %v", obj, err)
		}
		back, err := tc.TypedToObject(tv)
		if err != nil {
			t.Fatalf("%T: TypedToObject: %v", obj, err)
		}
		if u, ok := back.(*unstructured.Unstructured); !ok || u.GetName() != "web" {
			t.Errorf("%T: round trip gave %#v", obj, back)
		}
	}

	// An unstructured object (what apply requests decode to) works too.
	u := &unstructured.Unstructured{Object: map[string]interface{}{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]interface{}{"name": "c"},
		"data":     map[string]interface{}{"k": "v"},
	}}
	if _, err := tc.ObjectToTyped(u); err != nil {
		t.Errorf("unstructured ConfigMap: %v", err)
	}
}

// Every served kind, and its list, must be known to the converter: the API
// handler tracks managedFields on every write.
func TestTypeConverterKnowsEveryServedKind(t *testing.T) {
	tc := service(t).TypeConverter()
	for _, r := range testResources() {
		objs := []runtime.Object{r.New()}
		if r.NewList != nil {
			objs = append(objs, r.NewList())
		}
		for i, obj := range objs {
			kind := r.Kind
			if i == 1 {
				kind += "List"
			}
			obj.GetObjectKind().SetGroupVersionKind(r.GroupVersion.WithKind(kind))
			if _, err := tc.ObjectToTyped(obj); err != nil {
				t.Errorf("%s %s: %v", r.GroupVersion, kind, err)
			}
		}
	}
}

// A server-side apply the way the API handler runs it: two managers each
// apply one container, and the list merges by name instead of the second
// apply replacing the first's container. This needs the list-map
// extensions to have reached the converter.
func TestTypeConverterServerSideApply(t *testing.T) {
	scheme := clientgoscheme.Scheme
	gvk := corev1.SchemeGroupVersion.WithKind("Pod")
	fm, err := managedfields.NewDefaultFieldManager(service(t).TypeConverter(), scheme, scheme, scheme,
		gvk, gvk.GroupVersion(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	apply := func(live runtime.Object, manager, container string) runtime.Object {
		t.Helper()
		cfg := &unstructured.Unstructured{Object: map[string]interface{}{
			"apiVersion": "v1", "kind": "Pod",
			"metadata": map[string]interface{}{"name": "web", "namespace": "default"},
			"spec": map[string]interface{}{"containers": []interface{}{
				map[string]interface{}{"name": container, "image": "nginx"},
			}},
		}}
		out, err := fm.Apply(live, cfg, manager, false)
		if err != nil {
			t.Fatalf("apply by %s: %v", manager, err)
		}
		return out
	}
	live := apply(&corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}}, "first", "a")
	live = apply(live, "second", "b")

	pod := &corev1.Pod{}
	if err := scheme.Convert(live, pod, nil); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range pod.Spec.Containers {
		names = append(names, c.Name)
	}
	if len(names) != 2 || !contains(names, "a") || !contains(names, "b") {
		t.Errorf("containers after two applies = %v, want a and b merged by name", names)
	}
	managers := map[string]bool{}
	for _, e := range pod.ManagedFields {
		managers[e.Manager] = true
	}
	if !managers["first"] || !managers["second"] {
		t.Errorf("managedFields managers = %v", managers)
	}
}
