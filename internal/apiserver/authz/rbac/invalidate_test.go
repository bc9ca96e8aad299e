package rbac

import (
	"context"
	"testing"

	rbaclisters "k8s.io/client-go/listers/rbac/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/hanok-dev/hanok/internal/apiserver/authz"
)

// liveIndexers are the stores an informer would fill, kept so tests can
// change them underneath the authorizer.
type liveIndexers struct {
	roles, bindings, clusterRoles, clusterBindings cache.Indexer
}

func newLive() (*liveIndexers, *Authorizer) {
	idx := func() cache.Indexer {
		return cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	}
	li := &liveIndexers{idx(), idx(), idx(), idx()}
	return li, New(rbaclisters.NewRoleLister(li.roles), rbaclisters.NewRoleBindingLister(li.bindings),
		rbaclisters.NewClusterRoleLister(li.clusterRoles), rbaclisters.NewClusterRoleBindingLister(li.clusterBindings))
}

func TestIndexFollowsChanges(t *testing.T) {
	li, z := newLive()
	h := z.EventHandler()
	ctx := context.Background()
	get := withNS(res("get", "", "pods", "", "p"), "ns1")
	get.User = user("alice")
	decide := func() authz.Decision {
		d, _, err := z.Authorize(ctx, get)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}

	steps := []struct {
		name   string
		change func()
		want   authz.Decision
	}{
		{"empty", func() {}, authz.NoOpinion},
		{"role without binding", func() {
			r := clusterRole("reader", rule(l("get"), l(""), l("pods")))
			_ = li.clusterRoles.Add(r)
			h.OnAdd(r, false)
		}, authz.NoOpinion},
		{"cluster binding added", func() {
			b := crb("alice", "reader", userSubject("alice"))
			_ = li.clusterBindings.Add(b)
			h.OnAdd(b, false)
		}, authz.Allow},
		{"role edited: read live, no event needed", func() {
			_ = li.clusterRoles.Update(clusterRole("reader", rule(l("list"), l(""), l("pods"))))
		}, authz.NoOpinion},
		{"role restored", func() {
			_ = li.clusterRoles.Update(clusterRole("reader", rule(l("get"), l(""), l("pods"))))
		}, authz.Allow},
		{"cluster binding deleted (tombstone)", func() {
			b := crb("alice", "reader", userSubject("alice"))
			_ = li.clusterBindings.Delete(b)
			h.OnDelete(cache.DeletedFinalStateUnknown{Key: "alice", Obj: b})
		}, authz.NoOpinion},
		{"role binding added", func() {
			b := rb("ns1", "alice", "ClusterRole", "reader", userSubject("alice"))
			_ = li.bindings.Add(b)
			h.OnAdd(b, false)
		}, authz.Allow},
		{"role binding subject changed", func() {
			old := rb("ns1", "alice", "ClusterRole", "reader", userSubject("alice"))
			old.ResourceVersion = "1"
			b := rb("ns1", "alice", "ClusterRole", "reader", userSubject("bob"))
			b.ResourceVersion = "2"
			_ = li.bindings.Update(b)
			h.OnUpdate(old, b)
		}, authz.NoOpinion},
		{"watch cache path: Invalidate", func() {
			_ = li.bindings.Update(rb("ns1", "alice", "ClusterRole", "reader", userSubject("alice")))
			z.Invalidate()
		}, authz.Allow},
	}
	for _, s := range steps {
		s.change()
		if got := decide(); got != s.want {
			t.Fatalf("%s: got %v, want %v", s.name, got, s.want)
		}
	}
}

func TestResyncDoesNotInvalidate(t *testing.T) {
	_, z := newLive()
	_, _ = z.clusterIndex()
	before := z.cluster.Load()
	b := crb("x", "y")
	b.ResourceVersion = "7"
	z.EventHandler().OnUpdate(b, b)
	if s, _ := z.clusterIndex(); s != before {
		t.Fatal("an unchanged resync rebuilt the index")
	}
	z.EventHandler().OnUpdate(b, crb("x", "y"))
	if s, _ := z.clusterIndex(); s == before {
		t.Fatal("a real update did not rebuild the index")
	}
}

// TestConcurrentChanges races decisions against binding changes (run with
// -race): every decision sees a consistent index.
func TestConcurrentChanges(t *testing.T) {
	li, z := newLive()
	_ = li.clusterRoles.Add(clusterRole("reader", rule(l("get"), l(""), l("pods"))))
	a := res("get", "", "pods", "", "p")
	a.User = user("alice")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			b := crb("alice", "reader", userSubject("alice"))
			if i%2 == 0 {
				_ = li.clusterBindings.Add(b)
			} else {
				_ = li.clusterBindings.Delete(b)
			}
			z.Invalidate()
		}
	}()
	for {
		select {
		case <-done:
			_ = li.clusterBindings.Add(crb("alice", "reader", userSubject("alice")))
			z.Invalidate()
			if d, _, _ := z.Authorize(context.Background(), a); d != authz.Allow {
				t.Fatalf("after the last change: %v", d)
			}
			return
		default:
			if _, _, err := z.Authorize(context.Background(), a); err != nil {
				t.Fatal(err)
			}
		}
	}
}
