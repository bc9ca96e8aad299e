package volumebinding

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

type pvOpt func(*corev1.PersistentVolume)

func pv(name, size, class string, opts ...pvOpt) *corev1.PersistentVolume {
	v := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:         corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)},
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			StorageClassName: class,
		},
		Status: corev1.PersistentVolumeStatus{Phase: corev1.VolumeAvailable},
	}
	for _, o := range opts {
		o(v)
	}
	return v
}

func modes(m ...corev1.PersistentVolumeAccessMode) pvOpt {
	return func(v *corev1.PersistentVolume) { v.Spec.AccessModes = m }
}
func phase(p corev1.PersistentVolumePhase) pvOpt {
	return func(v *corev1.PersistentVolume) { v.Status.Phase = p }
}
func labelled(k, val string) pvOpt {
	return func(v *corev1.PersistentVolume) { v.Labels = map[string]string{k: val} }
}
func block() pvOpt {
	return func(v *corev1.PersistentVolume) { m := corev1.PersistentVolumeBlock; v.Spec.VolumeMode = &m }
}
func claimRef(ns, name, uid string) pvOpt {
	return func(v *corev1.PersistentVolume) {
		v.Spec.ClaimRef = &corev1.ObjectReference{Namespace: ns, Name: name, UID: types.UID(uid)}
	}
}
func onNode(node string) pvOpt {
	return func(v *corev1.PersistentVolume) {
		v.Spec.NodeAffinity = &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
			MatchExpressions: []corev1.NodeSelectorRequirement{{Key: corev1.LabelHostname, Operator: corev1.NodeSelectorOpIn, Values: []string{node}}},
		}}}}
	}
}
func deleting() pvOpt {
	return func(v *corev1.PersistentVolume) { now := metav1.Now(); v.DeletionTimestamp = &now }
}

func pvc(size, class string) *corev1.PersistentVolumeClaim {
	return &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "c", UID: "uid-c"},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)}},
			StorageClassName: &class,
		},
	}
}

func node(name string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{corev1.LabelHostname: name}}}
}

func TestBestMatch(t *testing.T) {
	rwx := pvc("1Gi", "fast")
	rwx.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany}
	selective := pvc("1Gi", "fast")
	selective.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"tier": "gold"}}
	blockClaim := pvc("1Gi", "fast")
	bm := corev1.PersistentVolumeBlock
	blockClaim.Spec.VolumeMode = &bm
	tests := []struct {
		name    string
		claim   *corev1.PersistentVolumeClaim
		volumes []*corev1.PersistentVolume
		node    *corev1.Node
		delayed bool
		want    string
	}{
		{"smallest that fits", pvc("2Gi", "fast"),
			[]*corev1.PersistentVolume{pv("big", "10Gi", "fast"), pv("small", "1Gi", "fast"), pv("fit", "3Gi", "fast"), pv("exact", "2Gi", "fast")}, nil, false, "exact"},
		{"class must match", pvc("1Gi", "fast"),
			[]*corev1.PersistentVolume{pv("slow", "1Gi", "slow"), pv("fast", "5Gi", "fast")}, nil, false, "fast"},
		{"empty class matches only classless volumes", pvc("1Gi", ""),
			[]*corev1.PersistentVolume{pv("classed", "1Gi", "fast"), pv("plain", "5Gi", "")}, nil, false, "plain"},
		{"only Available volumes", pvc("1Gi", "fast"),
			[]*corev1.PersistentVolume{pv("pending", "1Gi", "fast", phase(corev1.VolumePending)), pv("released", "1Gi", "fast", phase(corev1.VolumeReleased))}, nil, false, ""},
		{"access modes must be offered", rwx,
			[]*corev1.PersistentVolume{pv("rwo", "1Gi", "fast"), pv("rwx", "5Gi", "fast", modes(corev1.ReadWriteOnce, corev1.ReadWriteMany))}, nil, false, "rwx"},
		{"fewest access modes before smallest", pvc("1Gi", "fast"),
			[]*corev1.PersistentVolume{pv("many", "1Gi", "fast", modes(corev1.ReadWriteOnce, corev1.ReadOnlyMany)), pv("one", "5Gi", "fast")}, nil, false, "one"},
		{"selector", selective,
			[]*corev1.PersistentVolume{pv("plain", "1Gi", "fast"), pv("gold", "9Gi", "fast", labelled("tier", "gold"))}, nil, false, "gold"},
		{"volume mode", blockClaim,
			[]*corev1.PersistentVolume{pv("fs", "1Gi", "fast"), pv("blk", "9Gi", "fast", block())}, nil, false, "blk"},
		{"volume being deleted", pvc("1Gi", "fast"),
			[]*corev1.PersistentVolume{pv("gone", "1Gi", "fast", deleting())}, nil, false, ""},
		{"taken by another claim", pvc("1Gi", "fast"),
			[]*corev1.PersistentVolume{pv("taken", "1Gi", "fast", claimRef("ns", "other", "x"))}, nil, false, ""},
		{"pre-bound by name wins over a smaller one, whatever its class and phase", pvc("1Gi", "fast"),
			[]*corev1.PersistentVolume{pv("small", "1Gi", "fast"), pv("mine", "5Gi", "other", phase(corev1.VolumePending), claimRef("ns", "c", ""))}, nil, false, "mine"},
		{"half-bound to this claim (UID) is finished", pvc("1Gi", "fast"),
			[]*corev1.PersistentVolume{pv("small", "1Gi", "fast"), pv("mine", "5Gi", "fast", phase(corev1.VolumeBound), claimRef("ns", "c", "uid-c"))}, nil, false, "mine"},
		{"bound to an older claim of the same name", pvc("1Gi", "fast"),
			[]*corev1.PersistentVolume{pv("old", "1Gi", "fast", claimRef("ns", "c", "uid-old"))}, nil, false, ""},
		{"pre-bound but too small", pvc("2Gi", "fast"),
			[]*corev1.PersistentVolume{pv("mine", "1Gi", "fast", claimRef("ns", "c", ""))}, nil, false, ""},
		{"delayed without node: nothing but pre-bound", pvc("1Gi", "fast"),
			[]*corev1.PersistentVolume{pv("any", "1Gi", "fast")}, nil, true, ""},
		{"delayed with node: node-local volume of that node", pvc("1Gi", "fast"),
			[]*corev1.PersistentVolume{pv("n1", "1Gi", "fast", onNode("n1")), pv("n2", "1Gi", "fast", onNode("n2")), pv("anywhere", "9Gi", "fast")}, node("n2"), true, "n2"},
		{"delayed with node: no volume there", pvc("1Gi", "fast"),
			[]*corev1.PersistentVolume{pv("n1", "1Gi", "fast", onNode("n1"))}, node("n2"), true, ""},
		{"pre-bound volume on another node: no match at all", pvc("1Gi", "fast"),
			[]*corev1.PersistentVolume{pv("mine", "1Gi", "fast", onNode("n1"), claimRef("ns", "c", "")), pv("n2", "1Gi", "fast", onNode("n2"))}, node("n2"), true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BestMatch(tt.claim, tt.volumes, tt.node, tt.delayed)
			if err != nil {
				t.Fatal(err)
			}
			name := ""
			if got != nil {
				name = got.Name
			}
			if name != tt.want {
				t.Fatalf("BestMatch = %q, want %q", name, tt.want)
			}
		})
	}
}

func TestSatisfies(t *testing.T) {
	rox := pvc("1Gi", "fast")
	rox.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadOnlyMany}
	tests := []struct {
		name   string
		volume *corev1.PersistentVolume
		claim  *corev1.PersistentVolumeClaim
		ok     bool
	}{
		{"fits", pv("v", "1Gi", "fast", phase(corev1.VolumePending)), pvc("1Gi", "fast"), true},
		{"too small", pv("v", "1Gi", "fast"), pvc("2Gi", "fast"), false},
		{"class", pv("v", "1Gi", "slow"), pvc("1Gi", "fast"), false},
		{"mode", pv("v", "1Gi", "fast", block()), pvc("1Gi", "fast"), false},
		{"access", pv("v", "1Gi", "fast"), rox, false},
		{"deleting", pv("v", "1Gi", "fast", deleting()), pvc("1Gi", "fast"), false},
	}
	for _, tt := range tests {
		if err := Satisfies(tt.volume, tt.claim); (err == nil) != tt.ok {
			t.Errorf("%s: Satisfies = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}
