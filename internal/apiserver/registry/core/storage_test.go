package core

import (
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func testPV() *v1.PersistentVolume {
	return &v1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: "pv-1"},
		Spec: v1.PersistentVolumeSpec{
			Capacity:               v1.ResourceList{v1.ResourceStorage: resource.MustParse("10Gi")},
			AccessModes:            []v1.PersistentVolumeAccessMode{v1.ReadWriteOnce},
			PersistentVolumeSource: v1.PersistentVolumeSource{HostPath: &v1.HostPathVolumeSource{Path: "/srv/pv-1"}},
		},
	}
}

func TestPersistentVolume(t *testing.T) {
	pv := testPV()
	expectErrors(t, create(pvStrategy{}, pv), "")
	if pv.Status.Phase != v1.VolumePending || pv.Status.LastPhaseTransitionTime == nil ||
		pv.Spec.PersistentVolumeReclaimPolicy != v1.PersistentVolumeReclaimRetain || *pv.Spec.VolumeMode != v1.PersistentVolumeFilesystem {
		t.Errorf("defaults: %+v %+v", pv.Spec, pv.Status)
	}

	tests := []struct {
		name   string
		mutate func(*v1.PersistentVolume)
		want   string
	}{
		{"no access modes", func(p *v1.PersistentVolume) { p.Spec.AccessModes = nil }, "spec.accessModes: Required value"},
		{"bad access mode", func(p *v1.PersistentVolume) { p.Spec.AccessModes = []v1.PersistentVolumeAccessMode{"ReadSometimes"} },
			`spec.accessModes: Unsupported value: "ReadSometimes"`},
		{"no capacity", func(p *v1.PersistentVolume) { p.Spec.Capacity = nil }, "spec.capacity: Required value"},
		{"no source", func(p *v1.PersistentVolume) { p.Spec.HostPath = nil }, "spec: Required value: must specify a volume type"},
		{"two sources", func(p *v1.PersistentVolume) { p.Spec.NFS = &v1.NFSVolumeSource{Server: "nfs", Path: "/x"} },
			"spec.nfs: Forbidden: may not specify more than 1 volume type"},
		{"local without affinity", func(p *v1.PersistentVolume) {
			p.Spec.HostPath = nil
			p.Spec.Local = &v1.LocalVolumeSource{Path: "/mnt/disk"}
		}, "spec.nodeAffinity: Required value: Local volume requires node affinity"},
		{"namespaced", func(p *v1.PersistentVolume) { p.Namespace = "default" }, "metadata.namespace: Forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testPV()
			tt.mutate(p)
			expectErrors(t, create(pvStrategy{}, p), tt.want)
		})
	}

	old := stored(t, pvStrategy{}, testPV()).(*v1.PersistentVolume)
	changed := old.DeepCopy()
	changed.Spec.HostPath.Path = "/elsewhere"
	expectErrors(t, update(pvStrategy{}, changed, old),
		"spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation")

	bound := old.DeepCopy()
	bound.Status.Phase = v1.VolumeBound
	pvStrategy{}.PrepareForStatusUpdate(ctx, bound, old)
	if bound.Status.Phase != v1.VolumeBound || bound.Status.LastPhaseTransitionTime == nil || !bound.Status.LastPhaseTransitionTime.Equal(&fixedNow) {
		t.Errorf("status update: %+v", bound.Status)
	}

	old.CreationTimestamp = metav1.NewTime(time.Now().Add(-5 * 24 * time.Hour))
	old.Spec.ClaimRef = &v1.ObjectReference{Namespace: "default", Name: "data"}
	old.Spec.StorageClassName = "local"
	old.Status.Phase = v1.VolumeBound
	want := []interface{}{"10Gi", "RWO", "Retain", "Bound", "default/data", "local", "<unset>", "", "5d", "Filesystem"}
	got := pvStrategy{}.TableRow(old)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("pv cell %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func testPVC() *v1.PersistentVolumeClaim {
	return &v1.PersistentVolumeClaim{
		ObjectMeta: objMeta("data"),
		Spec: v1.PersistentVolumeClaimSpec{
			AccessModes: []v1.PersistentVolumeAccessMode{v1.ReadWriteOnce},
			Resources:   v1.VolumeResourceRequirements{Requests: v1.ResourceList{v1.ResourceStorage: resource.MustParse("1Gi")}},
		},
	}
}

func TestPersistentVolumeClaim(t *testing.T) {
	pvc := testPVC()
	expectErrors(t, create(pvcStrategy{}, pvc), "")
	if pvc.Status.Phase != v1.ClaimPending || *pvc.Spec.VolumeMode != v1.PersistentVolumeFilesystem {
		t.Errorf("defaults: %+v", pvc)
	}

	for _, tt := range []struct {
		name   string
		mutate func(*v1.PersistentVolumeClaim)
		want   string
	}{
		{"no access modes", func(c *v1.PersistentVolumeClaim) { c.Spec.AccessModes = nil },
			"spec.accessModes: Required value: at least 1 access mode is required"},
		{"no storage request", func(c *v1.PersistentVolumeClaim) { c.Spec.Resources.Requests = nil },
			"spec.resources[storage]: Required value"},
		{"zero storage", func(c *v1.PersistentVolumeClaim) {
			c.Spec.Resources.Requests[v1.ResourceStorage] = resource.MustParse("0")
		},
			"spec.resources.requests[storage]: Invalid value: \"0\": must be greater than zero"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := testPVC()
			tt.mutate(c)
			expectErrors(t, create(pvcStrategy{}, c), tt.want)
		})
	}

	boundClaim := func(t *testing.T) *v1.PersistentVolumeClaim {
		c := stored(t, pvcStrategy{}, testPVC()).(*v1.PersistentVolumeClaim)
		c.Spec.VolumeName = "pv-1"
		c.Status = v1.PersistentVolumeClaimStatus{Phase: v1.ClaimBound,
			Capacity: v1.ResourceList{v1.ResourceStorage: resource.MustParse("1Gi")}}
		return c
	}
	for _, tt := range []struct {
		name   string
		bound  bool
		mutate func(*v1.PersistentVolumeClaim)
		want   string
	}{
		{"binder sets volumeName", false, func(c *v1.PersistentVolumeClaim) { c.Spec.VolumeName = "pv-1" }, ""},
		{"grow bound claim", true, func(c *v1.PersistentVolumeClaim) {
			c.Spec.Resources.Requests[v1.ResourceStorage] = resource.MustParse("5Gi")
		}, ""},
		{"shrink below capacity", true, func(c *v1.PersistentVolumeClaim) {
			c.Spec.Resources.Requests[v1.ResourceStorage] = resource.MustParse("500Mi")
		}, "spec.resources.requests.storage: Forbidden: field can not be less than status.capacity"},
		{"grow unbound claim", false, func(c *v1.PersistentVolumeClaim) {
			c.Spec.Resources.Requests[v1.ResourceStorage] = resource.MustParse("5Gi")
		}, "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"},
		{"change access modes", true, func(c *v1.PersistentVolumeClaim) {
			c.Spec.AccessModes = []v1.PersistentVolumeAccessMode{v1.ReadWriteMany}
		}, "spec: Forbidden: spec is immutable after creation"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var old *v1.PersistentVolumeClaim
			if tt.bound {
				old = boundClaim(t)
			} else {
				old = stored(t, pvcStrategy{}, testPVC()).(*v1.PersistentVolumeClaim)
			}
			c := old.DeepCopy()
			tt.mutate(c)
			expectErrors(t, update(pvcStrategy{}, c, old), tt.want)
		})
	}

	c := boundClaim(t)
	c.Status.AccessModes = []v1.PersistentVolumeAccessMode{v1.ReadWriteOnce, v1.ReadOnlyMany}
	c.Spec.StorageClassName = ptr("local")
	want := []interface{}{"Bound", "pv-1", "1Gi", "RWO,ROX", "local", "<unset>", "120m", "Filesystem"}
	got := pvcStrategy{}.TableRow(c)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("pvc cell %d = %v, want %v", i, got[i], want[i])
		}
	}
}
