package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
)

// TestClientGoInformer: an informer syncs, sees events in order, and a
// stale update conflicts.
func TestClientGoInformer(t *testing.T) {
	s := startServer(t)
	cs := s.client()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// The test's own configmaps carry a label the informer selects on:
	// the controllers put kube-root-ca.crt in every namespace.
	mine := map[string]string{"e2e": "informer"}
	for i := 0; i < 5; i++ {
		_, err := cs.CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("pre-%d", i), Labels: mine}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
	}
	factory := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithNamespace("default"),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = "e2e=informer" }))
	inf := factory.Core().V1().ConfigMaps().Informer()
	var mu sync.Mutex
	var events []string
	record := func(kind string, obj interface{}) {
		if cm, ok := obj.(*corev1.ConfigMap); ok {
			mu.Lock()
			events = append(events, kind+" "+cm.Name+" "+cm.Data["v"])
			mu.Unlock()
		}
	}
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj interface{}) { record("add", obj) },
		UpdateFunc: func(_, obj interface{}) { record("update", obj) },
		DeleteFunc: func(obj interface{}) { record("delete", obj) },
	})
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		t.Fatal("informer did not sync")
	}
	if n := len(inf.GetStore().List()); n != 5 {
		t.Fatalf("informer cache has %d configmaps, want 5", n)
	}

	cm, err := cs.CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "live", Labels: mine}, Data: map[string]string{"v": "0"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stale := cm.DeepCopy()
	for i := 1; i <= 3; i++ {
		cm.Data["v"] = fmt.Sprint(i)
		if cm, err = cs.CoreV1().ConfigMaps("default").Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	stale.Data["v"] = "stale"
	if _, err := cs.CoreV1().ConfigMaps("default").Update(ctx, stale, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Fatalf("stale update: want Conflict, got %v", err)
	}
	if err := cs.CoreV1().ConfigMaps("default").Delete(ctx, "live", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	want := []string{"add live 0", "update live 1", "update live 2", "update live 3", "delete live 3"}
	waitFor(t, 10*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(events) >= 5+len(want)
	})
	mu.Lock()
	defer mu.Unlock()
	got := events[len(events)-len(want):]
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("events in order: got %v, want %v", got, want)
		}
	}
}
