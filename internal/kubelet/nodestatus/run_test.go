package nodestatus

import (
	"context"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// statusUpdates counts the node status writes a fake clientset saw.
func statusUpdates(c *fake.Clientset) int {
	n := 0
	for _, a := range c.Actions() {
		if a.GetVerb() == "update" && a.GetResource().Resource == "nodes" && a.GetSubresource() == "status" {
			n++
		}
	}
	return n
}

func TestSyncStatusPostsOnlyChangesOrWhenDue(t *testing.T) {
	ctx := context.Background()
	client := fake.NewClientset(&v1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1", UID: "u1"}})
	cfg := Config{
		NodeName: "n1", Client: client, RootDir: t.TempDir(),
		Runtime:  fakeRuntime{name: "containerd", version: "2.4.2"},
		hostRoot: fakeHost(t, map[string]string{"/proc/meminfo": "MemTotal: 1024 kB\n"}).root,
	}.withDefaults()
	pressure := &switchablePressure{}
	cfg.Pressure = pressure
	r := &runner{cfg: cfg, leaser: leaser{cfg: cfg}}

	r.syncStatus(ctx)
	if n := statusUpdates(client); n != 1 {
		t.Fatalf("first sync: %d status updates, want 1", n)
	}
	r.syncStatus(ctx)
	r.syncStatus(ctx)
	if n := statusUpdates(client); n != 1 {
		t.Fatalf("nothing changed: %d status updates, want still 1", n)
	}
	pressure.memory = true
	r.syncStatus(ctx)
	if n := statusUpdates(client); n != 2 {
		t.Fatalf("memory pressure: %d status updates, want 2", n)
	}
	r.lastReport = time.Now().Add(-cfg.reportInterval)
	r.syncStatus(ctx)
	if n := statusUpdates(client); n != 3 {
		t.Fatalf("report due: %d status updates, want 3", n)
	}
	if r.nodeUID() != "u1" {
		t.Errorf("node UID = %q", r.nodeUID())
	}
}

func TestLeaseRenewal(t *testing.T) {
	ctx := context.Background()
	client := fake.NewClientset()
	l := leaser{cfg: Config{NodeName: "n1", Client: client}}
	if err := l.renew(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if err := l.renew(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	lease, err := client.CoordinationV1().Leases(v1.NamespaceNodeLease).Get(ctx, "n1", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lease.OwnerReferences) != 1 || lease.OwnerReferences[0].UID != "u1" {
		t.Errorf("owner = %v, want the node once its UID is known", lease.OwnerReferences)
	}
	// Deleted under us (the Node went, and the garbage collector took its
	// Lease): created again.
	if err := client.CoordinationV1().Leases(v1.NamespaceNodeLease).Delete(ctx, "n1", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	client.ClearActions()
	if err := l.renew(ctx, "u2"); err != nil {
		t.Fatal(err)
	}
	var verbs []string
	for _, a := range client.Actions() {
		verbs = append(verbs, a.GetVerb())
	}
	if got := verbs; len(got) != 3 || got[0] != "update" || got[1] != "get" || got[2] != "create" {
		t.Errorf("renewal of a deleted lease: %v, want update, get, create", got)
	}
}

type switchablePressure struct{ memory bool }

func (p *switchablePressure) MemoryPressure() bool { return p.memory }
func (p *switchablePressure) DiskPressure() bool   { return false }
func (p *switchablePressure) PIDPressure() bool    { return false }
