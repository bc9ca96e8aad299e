package scheduler

import (
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func labelled(kv ...string) func(*v1.Pod) {
	return func(p *v1.Pod) {
		p.Labels = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			p.Labels[kv[i]] = kv[i+1]
		}
	}
}

func podTerm(key, app string) v1.PodAffinityTerm {
	return v1.PodAffinityTerm{TopologyKey: key, LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}}
}

func TestAffinitySpreadAndVolumes(t *testing.T) {
	e := newEnv(t)
	zone := func(z string) map[string]string { return map[string]string{v1.LabelTopologyZone: z} }
	e.node("a", "4", zone("z1"))
	e.node("b", "4", zone("z1"))
	e.node("c", "4", zone("z2"))
	e.node("d", "4", zone("z2"))
	e.startScheduler(Config{})
	zoneOf := map[string]string{"a": "z1", "b": "z1", "c": "z2", "d": "z2"}

	t.Run("anti-affinity by hostname", func(t *testing.T) {
		anti := func(p *v1.Pod) {
			p.Spec.Affinity = &v1.Affinity{PodAntiAffinity: &v1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []v1.PodAffinityTerm{podTerm(v1.LabelHostname, "web")}}}
		}
		seen := map[string]bool{}
		for _, name := range []string{"web-1", "web-2", "web-3", "web-4"} {
			e.pod(name, "", labelled("app", "web"), anti)
			node := e.waitBound(name) // one at a time: each sees the others
			if seen[node] {
				t.Fatalf("two web pods on %s", node)
			}
			seen[node] = true
		}
		e.pod("web-5", "", labelled("app", "web"), anti)
		want := "0/4 nodes are available: 4 node(s) didn't match pod anti-affinity rules." +
			" preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod."
		e.waitEventMessage("web-5", "FailedScheduling", want)
	})

	t.Run("affinity to a zone", func(t *testing.T) {
		e.pod("db", "", labelled("app", "db"), func(p *v1.Pod) { p.Spec.NodeSelector = map[string]string{v1.LabelHostname: "c"} })
		e.waitBound("db")
		for _, name := range []string{"near-1", "near-2"} {
			e.pod(name, "", func(p *v1.Pod) {
				p.Spec.Affinity = &v1.Affinity{PodAffinity: &v1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []v1.PodAffinityTerm{podTerm(v1.LabelTopologyZone, "db")}}}
			})
			if node := e.waitBound(name); zoneOf[node] != "z2" {
				t.Errorf("%s on %s, want zone z2", name, node)
			}
		}
	})

	t.Run("topology spread DoNotSchedule", func(t *testing.T) {
		spread := func(p *v1.Pod) {
			p.Spec.TopologySpreadConstraints = []v1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: v1.LabelTopologyZone,
				WhenUnsatisfiable: v1.DoNotSchedule, LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "spread"}}}}
		}
		perZone := map[string]int{}
		for _, name := range []string{"s-1", "s-2", "s-3", "s-4", "s-5", "s-6"} {
			e.pod(name, "", labelled("app", "spread"), spread)
		}
		for _, name := range []string{"s-1", "s-2", "s-3", "s-4", "s-5", "s-6"} {
			perZone[zoneOf[e.waitBound(name)]]++
		}
		if perZone["z1"] != 3 || perZone["z2"] != 3 {
			t.Errorf("per zone %v, want 3 and 3", perZone)
		}
	})

	t.Run("claim bound to a local volume", func(t *testing.T) {
		pv := &v1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: e.ns + "-local"}, Spec: v1.PersistentVolumeSpec{
			Capacity:               v1.ResourceList{v1.ResourceStorage: resource.MustParse("1Gi")},
			AccessModes:            []v1.PersistentVolumeAccessMode{v1.ReadWriteOnce},
			PersistentVolumeSource: v1.PersistentVolumeSource{Local: &v1.LocalVolumeSource{Path: "/data"}},
			NodeAffinity: &v1.VolumeNodeAffinity{Required: &v1.NodeSelector{NodeSelectorTerms: []v1.NodeSelectorTerm{{
				MatchExpressions: []v1.NodeSelectorRequirement{{Key: v1.LabelHostname, Operator: v1.NodeSelectorOpIn, Values: []string{"b"}}}}}}},
		}}
		if _, err := e.admin.CoreV1().PersistentVolumes().Create(e.ctx, pv, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = e.admin.CoreV1().PersistentVolumes().Delete(e.ctx, pv.Name, metav1.DeleteOptions{}) })
		pvc := &v1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "data"}, Spec: v1.PersistentVolumeClaimSpec{
			AccessModes: []v1.PersistentVolumeAccessMode{v1.ReadWriteOnce}, VolumeName: pv.Name,
			Resources: v1.VolumeResourceRequirements{Requests: v1.ResourceList{v1.ResourceStorage: resource.MustParse("1Gi")}},
		}}
		if _, err := e.admin.CoreV1().PersistentVolumeClaims(e.ns).Create(e.ctx, pvc, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		vol := func(claim string) func(*v1.Pod) {
			return func(p *v1.Pod) {
				p.Spec.Volumes = []v1.Volume{{Name: "data", VolumeSource: v1.VolumeSource{PersistentVolumeClaim: &v1.PersistentVolumeClaimVolumeSource{ClaimName: claim}}}}
			}
		}
		e.pod("uses-local", "", vol("data"))
		if node := e.waitBound("uses-local"); node != "b" {
			t.Errorf("uses-local on %s, want b", node)
		}
		e.pod("no-claim", "", vol("missing"))
		want := `0/4 nodes are available: persistentvolumeclaim "missing" not found.` +
			" preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."
		e.waitEventMessage("no-claim", "FailedScheduling", want)
	})
}
