package node

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/authz"
)

func TestSnapshotFollowsChanges(t *testing.T) {
	s := newStores(t)
	z := s.authorizer()
	clock := epochNode
	z.now = func() time.Time { return clock }
	pods, volumes := z.PodEventHandler(), z.VolumeEventHandler()
	ctx := context.Background()
	decide := func(a authz.Attributes) authz.Decision {
		a.User = nodeUser("n1")
		d, _, err := z.Authorize(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	getSecret := res("get", "", "secrets", "", "ns", "db-password")
	getVolume := res("get", "", "persistentvolumes", "", "", "pv-9")
	web := func(node, rv string) *corev1.Pod {
		p := pod("ns", "web", node,
			vol("s", corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "db-password"}}),
			vol("d", corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data"}}))
		p.ResourceVersion = rv
		return p
	}

	steps := []struct {
		name   string
		change func()
		attr   authz.Attributes
		want   authz.Decision
	}{
		{"nothing scheduled", func() {}, getSecret, authz.NoOpinion},
		{"pod created unscheduled", func() {
			p := web("", "1")
			_ = s.pods.Add(p)
			pods.OnAdd(p, false)
		}, getSecret, authz.NoOpinion},
		{"pod bound to n1", func() {
			p := web("n1", "2")
			_ = s.pods.Update(p)
			pods.OnUpdate(web("", "1"), p)
		}, getSecret, authz.Allow},
		{"claim bound to a volume", func() {
			c := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "data", ResourceVersion: "3"}, Spec: corev1.PersistentVolumeClaimSpec{VolumeName: "pv-9"}}
			v := &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pv-9"}}
			_ = s.pvcs.Add(c)
			_ = s.pvs.Add(v)
			volumes.OnAdd(c, false)
			volumes.OnAdd(v, false)
		}, getVolume, authz.Allow},
		{"pod deleted", func() {
			p := web("n1", "2")
			_ = s.pods.Delete(p)
			pods.OnDelete(p)
		}, getSecret, authz.NoOpinion},
		{"volume no longer reachable", func() {}, getVolume, authz.NoOpinion},
	}
	for _, st := range steps {
		st.change()
		if got := decide(st.attr); got != st.want {
			t.Fatalf("%s: %v, want %v", st.name, got, st.want)
		}
	}
}

var epochNode = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestSnapshotReuseAndAge(t *testing.T) {
	p := pod("ns", "web", "n1", vol("s", corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "a"}}))
	p.ResourceVersion = "1"
	s := newStores(t, p)
	z := s.authorizer()
	clock := epochNode
	z.now = func() time.Time { return clock }
	first, err := z.refsFor("n1")
	if err != nil {
		t.Fatal(err)
	}

	// A status update (same spec, new resourceVersion) keeps the snapshot.
	status := p.DeepCopy()
	status.ResourceVersion = "2"
	status.Status.Phase = corev1.PodRunning
	z.PodEventHandler().OnUpdate(p, status)
	if again, _ := z.refsFor("n1"); again != first {
		t.Error("a status update rebuilt the snapshot")
	}
	// Another node's change does not touch n1.
	z.InvalidateNode("n2")
	if again, _ := z.refsFor("n1"); again != first {
		t.Error("a change on n2 rebuilt n1's snapshot")
	}
	// A change nobody announced is picked up once the snapshot is too old.
	_ = s.pods.Add(pod("ns", "late", "n1", vol("s", corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "b"}})))
	if r, _ := z.refsFor("n1"); has(r.secrets, "ns", "b") {
		t.Error("unannounced change seen early: the snapshot was not reused")
	}
	clock = clock.Add(MaxSnapshotAge)
	if r, _ := z.refsFor("n1"); !has(r.secrets, "ns", "b") {
		t.Error("an old snapshot was trusted")
	}
	// An ephemeral container can add references.
	debug := p.DeepCopy()
	debug.ResourceVersion = "3"
	debug.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
		Name: "debug", EnvFrom: []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "c"}}}}}}}
	_ = s.pods.Update(debug)
	z.PodEventHandler().OnUpdate(p, debug)
	if r, _ := z.refsFor("n1"); !has(r.secrets, "ns", "c") {
		t.Error("ephemeral container reference not seen")
	}
}
