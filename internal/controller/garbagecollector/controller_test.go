package garbagecollector

import (
	"context"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/retry"

	"github.com/hanok-dev/hanok/internal/controller"
	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	stopCollector()
	shared.Stop()
	os.Exit(code)
}

// started runs one collector per test binary (it watches everything, so
// tests need no more), as generic-garbage-collector.
var started = false

func start(t *testing.T, s *testserver.Server) {
	t.Helper()
	if started {
		return
	}
	started = true
	user := "system:serviceaccount:kube-system:generic-garbage-collector"
	groups := []string{"system:serviceaccounts", "system:serviceaccounts:kube-system"}
	cc := controller.Context{
		Client:     s.ClientFor(t, user, groups...),
		RESTConfig: s.RESTConfigFor(t, user, groups...),
		Informers:  informers.NewSharedInformerFactory(s.ClientFor(t, "system:kube-controller-manager"), 0),
		Recorder:   &record.FakeRecorder{},
	}
	gc, err := New(cc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { gc.Run(ctx, 5); close(done) }()
	stopCollector = func() { cancel(); <-done }
}

var stopCollector = func() {}

func poll(t *testing.T, what string, cond func(ctx context.Context) bool) {
	t.Helper()
	err := wait.PollUntilContextTimeout(testserver.Context(t), 20*time.Millisecond, 25*time.Second, true,
		func(ctx context.Context) (bool, error) { return cond(ctx), nil })
	if err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

type fixture struct {
	t  *testing.T
	cs kubernetes.Interface
	ns string
}

func newFixture(t *testing.T) *fixture {
	s := shared.Get(t)
	start(t, s)
	return &fixture{t: t, cs: s.Client(), ns: s.CreateNamespace(t)}
}

// configMap creates a ConfigMap owned by owners.
func (f *fixture) configMap(name string, finalizers []string, owners ...metav1.OwnerReference) *corev1.ConfigMap {
	f.t.Helper()
	cm, err := f.cs.CoreV1().ConfigMaps(f.ns).Create(testserver.Context(f.t), &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: name, OwnerReferences: owners, Finalizers: finalizers},
	}, metav1.CreateOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	return cm
}

func ownedBy(cm *corev1.ConfigMap, block bool) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: cm.Name, UID: cm.UID, BlockOwnerDeletion: &block}
}

func (f *fixture) get(name string) (*corev1.ConfigMap, error) {
	return f.cs.CoreV1().ConfigMaps(f.ns).Get(testserver.Context(f.t), name, metav1.GetOptions{})
}

func (f *fixture) delete(name string, policy metav1.DeletionPropagation) {
	f.t.Helper()
	opts := metav1.DeleteOptions{}
	if policy != "" {
		opts.PropagationPolicy = &policy
	}
	if err := f.cs.CoreV1().ConfigMaps(f.ns).Delete(testserver.Context(f.t), name, opts); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) waitGone(name string) {
	f.t.Helper()
	poll(f.t, name+" to go", func(ctx context.Context) bool {
		_, err := f.get(name)
		return apierrors.IsNotFound(err)
	})
}

// release removes the test's finalizer. The collector may be changing the
// object's finalizers at the same time: retry when the update was stale
// (which the API server may answer as Invalid rather than Conflict, as it
// validates before comparing resourceVersions).
func (f *fixture) release(name string) {
	f.t.Helper()
	stale := func(err error) bool { return apierrors.IsConflict(err) || apierrors.IsInvalid(err) }
	err := retry.OnError(retry.DefaultRetry, stale, func() error {
		cm, err := f.get(name)
		if err != nil {
			return err
		}
		var kept []string
		for _, fin := range cm.Finalizers {
			if fin != hold {
				kept = append(kept, fin)
			}
		}
		cm.Finalizers = kept
		_, err = f.cs.CoreV1().ConfigMaps(f.ns).Update(testserver.Context(f.t), cm, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

const hold = "example.com/hold"

func TestBackground(t *testing.T) {
	f := newFixture(t)
	owner := f.configMap("owner", nil)
	child := f.configMap("child", nil, ownedBy(owner, false))
	f.configMap("grandchild", nil, ownedBy(child, false))
	f.delete("owner", "") // default: background
	f.waitGone("child")
	f.waitGone("grandchild")
}

func TestOrphan(t *testing.T) {
	f := newFixture(t)
	owner := f.configMap("owner", nil)
	other := f.configMap("other", nil)
	f.configMap("child", nil, ownedBy(owner, true), ownedBy(other, false))
	f.delete("owner", metav1.DeletePropagationOrphan)
	f.waitGone("owner")
	child, err := f.get("child")
	if err != nil {
		t.Fatalf("orphaned dependent deleted: %v", err)
	}
	if len(child.OwnerReferences) != 1 || child.OwnerReferences[0].UID != other.UID {
		t.Errorf("orphaned dependent's references: %+v, want only the other owner", child.OwnerReferences)
	}
}

func TestForeground(t *testing.T) {
	f := newFixture(t)
	owner := f.configMap("owner", nil)
	blocker := f.configMap("blocker", []string{hold}, ownedBy(owner, true))
	f.configMap("grandchild", nil, ownedBy(blocker, true))
	f.configMap("free", nil, ownedBy(owner, false))
	f.delete("owner", metav1.DeletePropagationForeground)

	// Dependents go first; the blocker, held by its finalizer, is being
	// deleted (in foreground itself, having a dependent) and keeps the
	// owner.
	f.waitGone("free")
	f.waitGone("grandchild")
	poll(t, "the blocker to be deleted", func(ctx context.Context) bool {
		b, err := f.get("blocker")
		return err == nil && b.DeletionTimestamp != nil
	})
	o, err := f.get("owner")
	if err != nil || o.DeletionTimestamp == nil {
		t.Fatalf("owner should wait, marked, for its blocking dependent: %v %+v", err, o)
	}
	f.release("blocker")
	f.waitGone("blocker")
	f.waitGone("owner")
}

func TestDanglingAtCreation(t *testing.T) {
	f := newFixture(t)
	ghost := metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: "ghost", UID: types.UID("00000000-0000-0000-0000-" + rand.String(12))}
	f.configMap("orphan-at-birth", nil, ghost)
	f.waitGone("orphan-at-birth")
	// An owner of that name but another UID is not the owner either.
	f.configMap("ghost", nil)
	f.configMap("wrong-uid", nil, ghost)
	f.waitGone("wrong-uid")
	if _, err := f.get("ghost"); err != nil {
		t.Errorf("the unrelated object of the owner's name was touched: %v", err)
	}
}

func TestMixedOwners(t *testing.T) {
	f := newFixture(t)
	a := f.configMap("a", nil)
	b := f.configMap("b", nil)
	f.configMap("child", nil, ownedBy(a, false), ownedBy(b, false))
	f.delete("a", "")
	poll(t, "the gone owner's reference to be removed", func(ctx context.Context) bool {
		c, err := f.get("child")
		return err == nil && len(c.OwnerReferences) == 1 && c.OwnerReferences[0].UID == b.UID
	})
	f.delete("b", "")
	f.waitGone("child")
}

// TestClusterScopedOwner: a namespaced dependent of a cluster-scoped
// owner of another group.
func TestClusterScopedOwner(t *testing.T) {
	f := newFixture(t)
	ctx := testserver.Context(t)
	role, err := f.cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-owner"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f.configMap("child", nil, metav1.OwnerReference{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole", Name: role.Name, UID: role.UID})
	// Still owned: it stays while its owner is there. A dangling object
	// created after it is collected once the collector got that far.
	f.configMap("sentinel", nil, metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: "none", UID: "00000000-0000-0000-0000-000000000000"})
	f.waitGone("sentinel")
	if _, err := f.get("child"); err != nil {
		t.Fatalf("dependent of an existing cluster-scoped owner: %v", err)
	}
	if err := f.cs.RbacV1().ClusterRoles().Delete(ctx, role.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	f.waitGone("child")
}
