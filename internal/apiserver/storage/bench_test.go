package storage

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/watch"
)

// benchPod is a pod of realistic size (~1.5 KB of JSON): labels, owner,
// a container with resources and env, a running status.
func benchPod(ns, name string, i int) *v1.Pod {
	now := metav1.Now()
	return &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: ns, Name: name, UID: "0c0d9b4e-7a3b-4d3e-9a57-9a3f1c8e0f01", CreationTimestamp: now,
			Labels:          map[string]string{"app": fmt.Sprint("app-", i%10), "pod-template-hash": "5d4f8c7b9"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-5d4f8c7b9", UID: "1c0d9b4e"}},
		},
		Spec: v1.PodSpec{
			NodeName: fmt.Sprint("node-", i%50),
			Containers: []v1.Container{{
				Name: "web", Image: "registry.example/web:1.2.3",
				Ports: []v1.ContainerPort{{ContainerPort: 8080, Protocol: v1.ProtocolTCP}},
				Env:   []v1.EnvVar{{Name: "MODE", Value: "production"}},
				Resources: v1.ResourceRequirements{Requests: v1.ResourceList{
					v1.ResourceCPU: resource.MustParse("100m"), v1.ResourceMemory: resource.MustParse("128Mi")}},
			}},
		},
		Status: v1.PodStatus{
			Phase: v1.PodRunning, PodIP: "10.42.0.10", HostIP: "192.168.1.10", StartTime: &now,
			Conditions: []v1.PodCondition{{Type: v1.PodReady, Status: v1.ConditionTrue, LastTransitionTime: now}},
			ContainerStatuses: []v1.ContainerStatus{{Name: "web", Ready: true, Image: "registry.example/web:1.2.3",
				State: v1.ContainerState{Running: &v1.ContainerStateRunning{StartedAt: now}}}},
		},
	}
}

// loadPods writes n pods straight into etcd, 100 per transaction.
func loadPods(b *testing.B, s *Store, n int) {
	b.Helper()
	ctx := context.Background()
	for start := 0; start < n; start += 100 {
		var ops []clientv3.Op
		for i := start; i < min(start+100, n); i++ {
			ns := fmt.Sprint("ns-", i%20)
			name := fmt.Sprint("pod-", i)
			var buf bytes.Buffer
			if err := s.cfg.Codec.Encode(benchPod(ns, name, i), &buf); err != nil {
				b.Fatal(err)
			}
			ops = append(ops, clientv3.OpPut(s.cfg.Prefix+ns+"/"+name, buf.String()))
		}
		if _, err := testClient.Txn(ctx).Then(ops...).Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkList10kPods measures the cache's side of LIST for 10,000 pods:
// everything the handler gets before encoding.
func BenchmarkList10kPods(b *testing.B) {
	c := newTestCacher(b, nil)
	loadPods(b, c.store, 10000)
	ctx := context.Background()
	check := &v1.PodList{}
	if err := c.List(ctx, c.cfg.Prefix, ListOptions{Recursive: true}, check); err != nil || len(check.Items) != 10000 {
		b.Fatalf("warm-up list: %d items, %v", len(check.Items), err)
	}
	for _, bm := range []struct {
		name string
		opts ListOptions
	}{
		{"rv=0", ListOptions{ResourceVersion: "0"}},
		{"consistent", ListOptions{}},
		{"label-selector", ListOptions{ResourceVersion: "0", Predicate: Predicate{Label: labels.SelectorFromSet(labels.Set{"app": "app-3"})}}},
		{"page-500", ListOptions{ResourceVersion: "0", Limit: 500}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			bm.opts.Recursive = true
			b.ReportAllocs()
			for b.Loop() {
				if err := c.List(ctx, c.cfg.Prefix, bm.opts, &v1.PodList{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCreate measures one create through the cache (an etcd
// transaction; the cache's watch runs alongside).
func BenchmarkCreate(b *testing.B) {
	c := newTestCacher(b, nil)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		name := fmt.Sprint("pod-", i)
		if err := c.Create(ctx, c.cfg.Prefix+"ns/"+name, benchPod("ns", name, i), &v1.Pod{}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkWatchFanout measures one change reaching 100 watchers: a write,
// then every watcher has received it.
func BenchmarkWatchFanout(b *testing.B) {
	c := newTestCacher(b, nil)
	ctx := context.Background()
	const watchers = 100
	var received sync.WaitGroup
	for range watchers {
		w, err := c.Watch(ctx, c.cfg.Prefix, ListOptions{Recursive: true, ResourceVersion: "0"})
		if err != nil {
			b.Fatal(err)
		}
		defer w.Stop()
		go func() {
			for ev := range w.ResultChan() {
				if ev.Type == watch.Added {
					received.Done()
				}
			}
		}()
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		received.Add(watchers)
		name := fmt.Sprint("pod-", i)
		if err := c.Create(ctx, c.cfg.Prefix+"ns/"+name, benchPod("ns", name, i), nil); err != nil {
			b.Fatal(err)
		}
		received.Wait()
		i++
	}
}
