package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
)

// bindWatch records when each bench pod is first seen bound. It keeps
// only a time and a node name per pod, so its memory does not blur the
// scheduler's.
type bindWatch struct {
	mu     sync.Mutex
	bound  []time.Time
	node   []string
	count  int
	all    chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
}

func watchBinds(ctx context.Context, cs kubernetes.Interface, ns string, pods int) (*bindWatch, error) {
	list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{Limit: 1})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &bindWatch{bound: make([]time.Time, pods), node: make([]string, pods), all: make(chan struct{}), cancel: cancel, done: make(chan struct{})}
	go w.loop(ctx, cs, ns, list.ResourceVersion)
	return w, nil
}

func (w *bindWatch) loop(ctx context.Context, cs kubernetes.Interface, ns, rv string) {
	defer close(w.done)
	for ctx.Err() == nil {
		wi, err := cs.CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{ResourceVersion: rv, AllowWatchBookmarks: true})
		if err != nil {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		for ev := range wi.ResultChan() {
			pod, ok := ev.Object.(*v1.Pod)
			if !ok {
				continue
			}
			rv = pod.ResourceVersion
			if ev.Type == watch.Bookmark || pod.Spec.NodeName == "" {
				continue
			}
			w.record(pod)
		}
	}
}

func (w *bindWatch) record(pod *v1.Pod) {
	i, err := strconv.Atoi(strings.TrimPrefix(pod.Name, "pod-"))
	if err != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if i >= len(w.bound) || !w.bound[i].IsZero() {
		return
	}
	w.bound[i] = time.Now()
	w.node[i] = pod.Spec.NodeName
	w.count++
	if w.count == len(w.bound) {
		close(w.all)
	}
}

func (w *bindWatch) wait(timeout time.Duration) error {
	select {
	case <-w.all:
		return nil
	case <-time.After(timeout):
		w.mu.Lock()
		defer w.mu.Unlock()
		return fmt.Errorf("only %d of %d pods bound after %v", w.count, len(w.bound), timeout)
	}
}

func (w *bindWatch) boundAt() []time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Time(nil), w.bound...)
}

func (w *bindWatch) nodeOf() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, n := range w.node {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

func (w *bindWatch) stop() {
	w.cancel()
	<-w.done
}
