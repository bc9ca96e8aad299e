package plugins

import (
	"context"
	"strconv"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// indexer holds objs the way an informer would, so client-go's listers
// can read them.
func indexer(t testing.TB, objs ...runtime.Object) cache.Indexer {
	t.Helper()
	idx := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	for _, o := range objs {
		if err := idx.Add(o); err != nil {
			t.Fatal(err)
		}
	}
	return idx
}

var (
	podGVK = corev1.SchemeGroupVersion.WithKind("Pod")
	podGVR = corev1.SchemeGroupVersion.WithResource("pods")
)

// attrs describes a write of obj, of the given resource, as the handler
// would.
func attrs(op admission.Operation, gvr schema.GroupVersionResource, kind string, obj, old runtime.Object) *admission.Attributes {
	a := &admission.Attributes{Operation: op, Resource: gvr, Kind: gvr.GroupVersion().WithKind(kind), Object: obj, OldObject: old}
	src := obj
	if src == nil {
		src = old
	}
	if m, ok := src.(metav1.Object); ok {
		a.Namespace, a.Name = m.GetNamespace(), m.GetName()
	}
	return a
}

func createPod(pod *corev1.Pod) *admission.Attributes {
	return attrs(admission.Create, podGVR, "Pod", pod, nil)
}

func asUser(a *admission.Attributes, name string, groups ...string) *admission.Attributes {
	a.User = &authn.User{Name: name, Groups: groups}
	return a
}

// pod builds a pod in ns with one container per resources given.
func pod(ns, name string, containers ...corev1.ResourceRequirements) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + name)}}
	if len(containers) == 0 {
		containers = []corev1.ResourceRequirements{{}}
	}
	for i, r := range containers {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "c" + strconv.Itoa(i), Image: "busybox", Resources: r})
	}
	return p
}

func list(kv ...string) corev1.ResourceList {
	l := corev1.ResourceList{}
	for i := 0; i+1 < len(kv); i += 2 {
		l[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return l
}

func reqs(requests, limits corev1.ResourceList) corev1.ResourceRequirements {
	return corev1.ResourceRequirements{Requests: requests, Limits: limits}
}

// expect checks err against want: "" means success, otherwise err's
// message must equal want.
func expect(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("refused: %v", err)
	case want != "" && err == nil:
		t.Fatalf("admitted, want %q", want)
	case want != "" && err.Error() != want:
		t.Fatalf("got  %q\nwant %q", err.Error(), want)
	}
}

// quotaStore is an in-memory ResourceQuota API with optimistic
// concurrency, as etcd gives the real one: an UpdateStatus whose
// resourceVersion is not the stored one fails with a conflict. (client-go's
// fake clientset does not check resourceVersions.)
type quotaStore struct {
	mu        sync.Mutex
	quotas    map[string]*corev1.ResourceQuota // ns/name
	rv        int64
	updates   int
	conflicts int
	fail      error // returned by every UpdateStatus when set
}

func newQuotaStore(qs ...*corev1.ResourceQuota) *quotaStore {
	s := &quotaStore{quotas: map[string]*corev1.ResourceQuota{}, rv: 100}
	for _, q := range qs {
		q = q.DeepCopy()
		s.rv++
		q.ResourceVersion = strconv.FormatInt(s.rv, 10)
		s.quotas[q.Namespace+"/"+q.Name] = q
	}
	return s
}

func (s *quotaStore) get(ns, name string) *corev1.ResourceQuota {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.quotas[ns+"/"+name]; q != nil {
		return q.DeepCopy()
	}
	return nil
}

// ResourceQuotas implements corev1client.ResourceQuotasGetter.
func (s *quotaStore) ResourceQuotas(ns string) corev1client.ResourceQuotaInterface {
	return &quotaClient{store: s, ns: ns}
}

type quotaClient struct {
	corev1client.ResourceQuotaInterface // unused methods panic
	store                               *quotaStore
	ns                                  string
}

func (c *quotaClient) Get(_ context.Context, name string, _ metav1.GetOptions) (*corev1.ResourceQuota, error) {
	if q := c.store.get(c.ns, name); q != nil {
		return q, nil
	}
	return nil, apierrors.NewNotFound(corev1.Resource("resourcequotas"), name)
}

func (c *quotaClient) List(_ context.Context, _ metav1.ListOptions) (*corev1.ResourceQuotaList, error) {
	c.store.mu.Lock()
	defer c.store.mu.Unlock()
	l := &corev1.ResourceQuotaList{}
	for _, q := range c.store.quotas {
		if q.Namespace == c.ns {
			l.Items = append(l.Items, *q.DeepCopy())
		}
	}
	return l, nil
}

func (c *quotaClient) UpdateStatus(_ context.Context, q *corev1.ResourceQuota, _ metav1.UpdateOptions) (*corev1.ResourceQuota, error) {
	s := c.store
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return nil, s.fail
	}
	cur := s.quotas[c.ns+"/"+q.Name]
	if cur == nil {
		return nil, apierrors.NewNotFound(corev1.Resource("resourcequotas"), q.Name)
	}
	if q.ResourceVersion != cur.ResourceVersion {
		s.conflicts++
		return nil, apierrors.NewConflict(corev1.Resource("resourcequotas"), q.Name,
			errConflict)
	}
	next := cur.DeepCopy()
	next.Status = *q.Status.DeepCopy()
	s.rv++
	next.ResourceVersion = strconv.FormatInt(s.rv, 10)
	s.quotas[c.ns+"/"+q.Name] = next
	s.updates++
	return next.DeepCopy(), nil
}

var errConflict = errorString("the object has been modified; please apply your changes to the latest version and try again")

type errorString string

func (e errorString) Error() string { return string(e) }
