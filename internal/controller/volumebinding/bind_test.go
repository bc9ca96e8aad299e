package volumebinding

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func TestVolumeBoundTo(t *testing.T) {
	claim := pvc("1Gi", "fast")
	tests := []struct {
		name         string
		volume       *corev1.PersistentVolume
		changed      bool
		byController bool
	}{
		{"free volume: binder's link", pv("v", "1Gi", "fast"), true, true},
		{"pre-bound by name: UID added, user's link", pv("v", "1Gi", "fast", claimRef("ns", "c", "")), true, false},
		{"already bound: nothing to do", pv("v", "1Gi", "fast", claimRef("ns", "c", "uid-c")), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, changed := volumeBoundTo(tt.volume, claim)
			if changed != tt.changed {
				t.Fatalf("changed = %v, want %v", changed, tt.changed)
			}
			if ref := out.Spec.ClaimRef; ref == nil || ref.UID != claim.UID || ref.Name != "c" || ref.Namespace != "ns" {
				t.Fatalf("claimRef %+v", out.Spec.ClaimRef)
			}
			if _, by := out.Annotations[AnnBoundByController]; by != tt.byController {
				t.Fatalf("bound-by-controller %v, want %v", by, tt.byController)
			}
			if tt.volume.Spec.ClaimRef != nil && tt.volume.Spec.ClaimRef.UID == "" && out == tt.volume {
				t.Fatal("input modified")
			}
		})
	}
}

func TestClaimBoundTo(t *testing.T) {
	volume := pv("v", "1Gi", "fast")
	chosen, changed := claimBoundTo(pvc("1Gi", "fast"), volume)
	if !changed || chosen.Spec.VolumeName != "v" || chosen.Annotations[AnnBoundByController] != "yes" || chosen.Annotations[AnnBindCompleted] != "yes" {
		t.Fatalf("binder's choice: changed %v %+v", changed, chosen.ObjectMeta.Annotations)
	}
	named := pvc("1Gi", "fast")
	named.Spec.VolumeName = "v"
	out, changed := claimBoundTo(named, volume)
	if _, by := out.Annotations[AnnBoundByController]; !changed || by || out.Annotations[AnnBindCompleted] != "yes" {
		t.Fatalf("user's choice: changed %v annotations %v", changed, out.Annotations)
	}
	if _, again := claimBoundTo(out, volume); again {
		t.Fatal("a done bind changed again")
	}
}

func TestClaimStatus(t *testing.T) {
	volume := pv("v", "5Gi", "fast")
	pending := pvc("1Gi", "fast")
	pending.Status.Phase = corev1.ClaimPending

	out, changed, err := claimStatus(pending, corev1.ClaimBound, volume)
	if err != nil || !changed {
		t.Fatalf("changed %v err %v", changed, err)
	}
	if q := out.Status.Capacity[corev1.ResourceStorage]; q.Cmp(resource.MustParse("5Gi")) != 0 || len(out.Status.AccessModes) != 1 {
		t.Fatalf("status %+v", out.Status)
	}
	if _, again, _ := claimStatus(out, corev1.ClaimBound, volume); again {
		t.Fatal("a bound claim's status changed again")
	}
	// A bound claim with a smaller recorded capacity (filesystem smaller
	// than the device) keeps it.
	small := out.DeepCopy()
	small.Status.Capacity = corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("4Gi")}
	if kept, changed, _ := claimStatus(small, corev1.ClaimBound, volume); changed || kept.Status.Capacity.Storage().Cmp(resource.MustParse("4Gi")) != 0 {
		t.Fatal("capacity of a bound claim overwritten")
	}
	// Pending without a volume clears what a volume gave.
	lost, changed, _ := claimStatus(out, corev1.ClaimLost, nil)
	if !changed || lost.Status.Capacity != nil || lost.Status.AccessModes != nil || lost.Status.Phase != corev1.ClaimLost {
		t.Fatalf("lost status %+v", lost.Status)
	}
	noCap := volume.DeepCopy()
	noCap.Spec.Capacity = nil
	if _, _, err := claimStatus(pending, corev1.ClaimBound, noCap); err == nil {
		t.Fatal("a volume without capacity must be an error")
	}
}
