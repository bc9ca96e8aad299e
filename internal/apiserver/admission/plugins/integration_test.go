package plugins_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
	"github.com/hanok-dev/hanok/internal/apiserver/admission/plugins"
	"github.com/hanok-dev/hanok/internal/testserver"
)

// chainOn builds the chain as an API server would, on informers over
// client, and waits for them.
func chainOn(t *testing.T, ctx context.Context, client kubernetes.Interface) (*admission.Chain, informers.SharedInformerFactory) {
	t.Helper()
	factory := informers.NewSharedInformerFactory(client, 0)
	chain := plugins.NewChain(plugins.DepsFrom(factory, client))
	factory.Start(ctx.Done())
	t.Cleanup(factory.Shutdown)
	for typ, ok := range factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			t.Fatalf("informer for %v did not sync", typ)
		}
	}
	return chain, factory
}

func admit(ctx context.Context, chain *admission.Chain, a *admission.Attributes) error {
	if err := chain.Admit(ctx, a); err != nil {
		return err
	}
	return chain.Validate(ctx, a)
}

// TestQuotaAgainstAPIServer charges a real ResourceQuota through a real
// API server (its status subresource, validation and resourceVersions),
// from two chains standing for two API servers: ten concurrent pod creates
// against a quota of two pods admit exactly two. Then a quota on
// configmaps gets its first usage counted through discovery.
func TestQuotaAgainstAPIServer(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: skipped with -short")
	}
	s := testserver.Start(t)
	client := s.Client()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ns := s.CreateNamespace(t)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(client.CoreV1().ResourceQuotas(ns).Create(ctx, &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "pods"},
		Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("2")}}}, metav1.CreateOptions{}))

	chain0, factory0 := chainOn(t, ctx, client)
	chain1, factory1 := chainOn(t, ctx, client)
	chains := []*admission.Chain{chain0, chain1}
	podsGVR := corev1.SchemeGroupVersion.WithResource("pods")
	errs := make([]error, 10)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("p%d", i)},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}
			errs[i] = admit(ctx, chains[i%2], &admission.Attributes{Operation: admission.Create, Resource: podsGVR,
				Kind: corev1.SchemeGroupVersion.WithKind("Pod"), Namespace: ns, Name: p.Name, Object: p})
		}(i)
	}
	wg.Wait()
	admitted := 0
	for _, err := range errs {
		switch {
		case err == nil:
			admitted++
		case !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2"):
			t.Errorf("unexpected refusal: %v", err)
		}
	}
	if admitted != 2 {
		t.Errorf("%d admitted, want 2", admitted)
	}
	q, err := client.CoreV1().ResourceQuotas(ns).Get(ctx, "pods", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if used := q.Status.Used[corev1.ResourcePods]; used.String() != "2" {
		t.Errorf("status.used %v", q.Status.Used)
	}
	if hard := q.Status.Hard[corev1.ResourcePods]; hard.String() != "2" {
		t.Errorf("status.hard %v", q.Status.Hard)
	}

	// count/configmaps, first counted by listing through discovery.
	must(client.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "existing"}}, metav1.CreateOptions{}))
	must(client.CoreV1().ResourceQuotas(ns).Create(ctx, &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "objects"},
		Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"count/configmaps": resource.MustParse("2")}}}, metav1.CreateOptions{}))
	// A quota created a moment ago is only seen once the informers have it
	// (as upstream, a namespace that already has quotas is not re-listed).
	for _, f := range []informers.SharedInformerFactory{factory0, factory1} {
		for {
			if _, err := f.Core().V1().ResourceQuotas().Lister().ResourceQuotas(ns).Get("objects"); err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	cmGVR := corev1.SchemeGroupVersion.WithResource("configmaps")
	cm := func(name string) *admission.Attributes {
		return &admission.Attributes{Operation: admission.Create, Resource: cmGVR, Kind: corev1.SchemeGroupVersion.WithKind("ConfigMap"),
			Namespace: ns, Name: name, Object: &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}}
	}
	if err := admit(ctx, chains[0], cm("one")); err != nil {
		t.Fatalf("first configmap: %v", err)
	}
	err = admit(ctx, chains[1], cm("two"))
	if want := `configmaps "two" is forbidden: exceeded quota: objects, requested: count/configmaps=1, used: count/configmaps=2, limited: count/configmaps=2`; err == nil || err.Error() != want {
		t.Errorf("second configmap: %v", err)
	}
}
