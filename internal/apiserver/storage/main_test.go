package storage

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hanok-dev/hanok/internal/apiserver/storage/etcdtest"
	"github.com/sirupsen/logrus"
	clientv3 "go.etcd.io/etcd/client/v3"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
)

// One etcd for the whole package; each test works under its own prefix.
var testClient *clientv3.Client

func TestMain(m *testing.M) {
	srv, err := etcdtest.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot start etcd for tests:", err)
		os.Exit(1)
	}
	testClient = srv.Client
	code := m.Run()
	srv.Stop()
	os.Exit(code)
}

var prefixSeq atomic.Int64

// podConfig is a pods store under a prefix no other test uses.
func podConfig() Config {
	return Config{
		Prefix:        fmt.Sprintf("/registry/pods-%d/", prefixSeq.Add(1)),
		GroupResource: schema.GroupResource{Resource: "pods"},
		Codec:         DefaultCodec(v1.SchemeGroupVersion),
		NewFunc:       func() runtime.Object { return &v1.Pod{} },
		GetAttrs:      podAttrs,
		Logger:        quietLogger,
	}
}

// quietLogger keeps expected log lines (a slow watcher closed, a relist)
// out of test output.
var quietLogger = func() *logrus.Entry {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return logrus.NewEntry(l)
}()

func podAttrs(obj runtime.Object) (labels.Set, fields.Set, error) {
	p := obj.(*v1.Pod)
	return labels.Set(p.Labels), fields.Set{
		"metadata.name":      p.Name,
		"metadata.namespace": p.Namespace,
		"spec.nodeName":      p.Spec.NodeName,
		"status.phase":       string(p.Status.Phase),
	}, nil
}

func newTestStore(t testing.TB) *Store {
	t.Helper()
	s, err := NewStore(testClient, podConfig())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newTestCacher starts a cacher that stops with the test.
func newTestCacher(t testing.TB, tweak func(*Config)) *Cacher {
	t.Helper()
	cfg := podConfig()
	if tweak != nil {
		tweak(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c, err := NewCacher(ctx, testClient, cfg)
	if err != nil {
		t.Fatal(err)
	}
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := c.WaitReady(wctx); err != nil {
		t.Fatal(err)
	}
	return c
}

func key(s *Store, ns, name string) string { return s.cfg.Prefix + ns + "/" + name }

func newPod(ns, name string, lbls map[string]string) *v1.Pod {
	return &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: lbls, UID: types.UID("uid-" + name)},
		Spec:       v1.PodSpec{Containers: []v1.Container{{Name: "c", Image: "nginx"}}},
	}
}

// create stores a pod and returns it as stored.
func create(t testing.TB, s Interface, prefix, ns, name string, lbls map[string]string) *v1.Pod {
	t.Helper()
	out := &v1.Pod{}
	if err := s.Create(context.Background(), prefix+ns+"/"+name, newPod(ns, name, lbls), out); err != nil {
		t.Fatalf("create %s/%s: %v", ns, name, err)
	}
	return out
}

// update sets labels on a stored pod.
func update(t testing.TB, s Interface, prefix, ns, name string, lbls map[string]string) *v1.Pod {
	t.Helper()
	out := &v1.Pod{}
	err := s.GuaranteedUpdate(context.Background(), prefix+ns+"/"+name, out, false, nil,
		func(cur runtime.Object) (runtime.Object, error) {
			cur.(*v1.Pod).Labels = lbls
			return cur, nil
		})
	if err != nil {
		t.Fatalf("update %s/%s: %v", ns, name, err)
	}
	return out
}

func del(t testing.TB, s Interface, prefix, ns, name string) *v1.Pod {
	t.Helper()
	out := &v1.Pod{}
	if err := s.Delete(context.Background(), prefix+ns+"/"+name, out, nil, nil); err != nil {
		t.Fatalf("delete %s/%s: %v", ns, name, err)
	}
	return out
}

func rvInt(t testing.TB, obj runtime.Object) int64 {
	t.Helper()
	rv := resourceVersionOf(obj)
	if l, ok := obj.(metav1.ListInterface); ok {
		rv = l.GetResourceVersion()
	}
	n, err := strconv.ParseInt(rv, 10, 64)
	if err != nil {
		t.Fatalf("resourceVersion of %T: %v", obj, err)
	}
	return n
}

// names returns the pod names in a list.
func names(l *v1.PodList) []string {
	out := []string{}
	for _, p := range l.Items {
		out = append(out, p.Name)
	}
	return out
}

// got is one received watch event, reduced to what tests compare.
type got struct {
	Type watch.EventType
	Name string
	RV   string
}

// next reads one event or fails after a timeout.
func next(t testing.TB, w watch.Interface) got {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		if !ok {
			t.Fatal("watch closed unexpectedly")
		}
		if ev.Type == watch.Error {
			t.Fatalf("watch error: %v", ev.Object)
		}
		p, ok := ev.Object.(*v1.Pod)
		if !ok {
			t.Fatalf("event object is %T, want *v1.Pod", ev.Object)
		}
		return got{ev.Type, p.Name, p.ResourceVersion}
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for a watch event")
	}
	return got{}
}

// expectNone fails if an event arrives within a short while.
func expectNone(t testing.TB, w watch.Interface) {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		t.Fatalf("unexpected event %v (open %v): %#v", ev.Type, ok, ev.Object)
	case <-time.After(200 * time.Millisecond):
	}
}

func rvs(n int64) string { return strconv.FormatInt(n, 10) }

func clientPrefix() clientv3.OpOption { return clientv3.WithPrefix() }
