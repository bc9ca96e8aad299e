package main

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
)

var zero int64

var deleteNow = metav1.DeleteOptions{GracePeriodSeconds: &zero}

func createNamespace(ctx context.Context, cs kubernetes.Interface, ns string) error {
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	return err
}

func benchPod(name string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": "bench"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "app", Image: "registry.local/bench:1.0",
			Resources: corev1.ResourceRequirements{},
		}}},
	}
}

// parallel runs n calls of f over workers goroutines and returns each
// call's latency.
func parallel(n, workers int, f func(i int) error) ([]time.Duration, error) {
	lat := make([]time.Duration, n)
	var next int64 = -1
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(atomic.AddInt64(&next, 1))
				if i >= n {
					return
				}
				start := time.Now()
				if err := f(i); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				lat[i] = time.Since(start)
			}
		}()
	}
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		return nil, err
	}
	return lat, nil
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s) == 0 {
		return 0
	}
	return s[int(float64(len(s)-1)*p)]
}

func benchCreates(ctx context.Context, cs kubernetes.Interface, ns, kind string, n, workers int) error {
	start := time.Now()
	lat, err := parallel(n, workers, func(i int) error {
		name := fmt.Sprintf("c-%d", i)
		var err error
		if kind == "pods" {
			_, err = cs.CoreV1().Pods(ns).Create(ctx, benchPod(name), metav1.CreateOptions{})
		} else {
			_, err = cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"k": "v"}}, metav1.CreateOptions{})
		}
		return err
	})
	if err != nil {
		return err
	}
	total := time.Since(start)
	fmt.Printf("%s creates, %d workers: %.0f/s, p50 %v, p99 %v\n", kind, workers, float64(n)/total.Seconds(),
		percentile(lat, 0.5).Round(10*time.Microsecond), percentile(lat, 0.99).Round(10*time.Microsecond))
	return nil
}

// benchList fills the namespace up to n pods and times full LISTs.
func benchList(ctx context.Context, cs kubernetes.Interface, ns string, n, _, workers int) error {
	have, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{ResourceVersion: "0", Limit: 1})
	if err != nil {
		return err
	}
	existing := len(have.Items)
	if have.RemainingItemCount != nil {
		existing += int(*have.RemainingItemCount)
	}
	if n > existing {
		if _, err := parallel(n-existing, workers, func(i int) error {
			_, err := cs.CoreV1().Pods(ns).Create(ctx, benchPod("l-"+strconv.Itoa(existing+i)), metav1.CreateOptions{})
			return err
		}); err != nil {
			return err
		}
	}
	var lat []time.Duration
	for i := 0; i < 20; i++ {
		start := time.Now()
		list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{ResourceVersion: "0"})
		if err != nil {
			return err
		}
		lat = append(lat, time.Since(start))
		if len(list.Items) < n {
			return fmt.Errorf("listed %d pods, want %d", len(list.Items), n)
		}
	}
	// The same LIST read as bytes: the server's share, without the
	// client's decoding of 10,000 objects.
	var rawLat []time.Duration
	for i := 0; i < 20; i++ {
		start := time.Now()
		if _, err := cs.CoreV1().RESTClient().Get().Namespace(ns).Resource("pods").
			Param("resourceVersion", "0").DoRaw(ctx); err != nil {
			return err
		}
		rawLat = append(rawLat, time.Since(start))
	}
	fmt.Printf("LIST of %d pods (from the watch cache): p50 %v, p99 %v decoded by client-go; p50 %v, p99 %v as bytes\n", n,
		percentile(lat, 0.5).Round(100*time.Microsecond), percentile(lat, 0.99).Round(100*time.Microsecond),
		percentile(rawLat, 0.5).Round(100*time.Microsecond), percentile(rawLat, 0.99).Round(100*time.Microsecond))
	return nil
}

// benchWatch opens watchers on pods, updates pods, and measures how long
// each event takes to reach each watcher (the update's send time travels
// in an annotation).
func benchWatch(ctx context.Context, cs kubernetes.Interface, ns string, watchers, updates, workers int) error {
	list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{Limit: int64(updates)})
	if err != nil {
		return err
	}
	if len(list.Items) < updates {
		return fmt.Errorf("need %d pods to update, have %d", updates, len(list.Items))
	}
	rv := list.ResourceVersion
	var mu sync.Mutex
	var delays []time.Duration
	var received int64
	var wg sync.WaitGroup
	wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	ready := make(chan struct{}, watchers)
	for w := 0; w < watchers; w++ {
		wi, err := cs.CoreV1().Pods(ns).Watch(wctx, metav1.ListOptions{ResourceVersion: rv, LabelSelector: "app=bench"})
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer wi.Stop()
			ready <- struct{}{}
			got := 0
			for ev := range wi.ResultChan() {
				if ev.Type != watch.Modified {
					continue
				}
				pod := ev.Object.(*corev1.Pod)
				sent, err := time.Parse(time.RFC3339Nano, pod.Annotations["bench/sent"])
				if err != nil {
					continue
				}
				d := time.Since(sent)
				mu.Lock()
				delays = append(delays, d)
				mu.Unlock()
				atomic.AddInt64(&received, 1)
				if got++; got == updates {
					return
				}
			}
		}()
	}
	for i := 0; i < watchers; i++ {
		<-ready
	}
	start := time.Now()
	if _, err := parallel(updates, workers, func(i int) error {
		pod := list.Items[i].DeepCopy()
		pod.Annotations = map[string]string{"bench/sent": time.Now().Format(time.RFC3339Nano)}
		_, err := cs.CoreV1().Pods(ns).Update(ctx, pod, metav1.UpdateOptions{})
		return err
	}); err != nil {
		return err
	}
	writes := time.Since(start)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		cancel()
		<-done
	}
	want := int64(watchers * updates)
	fmt.Printf("watch fan-out, %d watchers x %d pod updates (%.0f updates/s): delivered %d/%d, delay p50 %v, p99 %v\n",
		watchers, updates, float64(updates)/writes.Seconds(), atomic.LoadInt64(&received), want,
		percentile(delays, 0.5).Round(100*time.Microsecond), percentile(delays, 0.99).Round(100*time.Microsecond))
	return nil
}
