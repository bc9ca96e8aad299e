package podspec

import (
	"reflect"

	v1 "k8s.io/api/core/v1"
)

// defaultVolume follows SetDefaults_Volume and the per-source defaulters. A
// volume with no source at all becomes an emptyDir, as upstream does, so
// "exactly one source" can only fail on two or more.
func defaultVolume(vol *v1.Volume) {
	src := &vol.VolumeSource
	if allPointersNil(src) {
		src.EmptyDir = &v1.EmptyDirVolumeSource{}
	}
	if s := src.Secret; s != nil && s.DefaultMode == nil {
		s.DefaultMode = ptr(v1.SecretVolumeSourceDefaultMode)
	}
	if s := src.ConfigMap; s != nil && s.DefaultMode == nil {
		s.DefaultMode = ptr(v1.ConfigMapVolumeSourceDefaultMode)
	}
	if s := src.DownwardAPI; s != nil {
		if s.DefaultMode == nil {
			s.DefaultMode = ptr(v1.DownwardAPIVolumeSourceDefaultMode)
		}
		for i := range s.Items {
			defaultFieldRef(s.Items[i].FieldRef)
		}
	}
	if s := src.Projected; s != nil {
		if s.DefaultMode == nil {
			s.DefaultMode = ptr(v1.ProjectedVolumeSourceDefaultMode)
		}
		for i := range s.Sources {
			p := &s.Sources[i]
			if p.ServiceAccountToken != nil && p.ServiceAccountToken.ExpirationSeconds == nil {
				p.ServiceAccountToken.ExpirationSeconds = ptr(int64(3600))
			}
			if p.DownwardAPI != nil {
				for j := range p.DownwardAPI.Items {
					defaultFieldRef(p.DownwardAPI.Items[j].FieldRef)
				}
			}
		}
	}
	if s := src.HostPath; s != nil && s.Type == nil {
		s.Type = ptr(v1.HostPathUnset)
	}
	if s := src.EmptyDir; s != nil && s.SizeLimit != nil {
		s.SizeLimit.RoundUp(-3)
	}
	if s := src.ISCSI; s != nil && s.ISCSIInterface == "" {
		s.ISCSIInterface = "default"
	}
	if s := src.RBD; s != nil {
		if s.RBDPool == "" {
			s.RBDPool = "rbd"
		}
		if s.RadosUser == "" {
			s.RadosUser = "admin"
		}
		if s.Keyring == "" {
			s.Keyring = "/etc/ceph/keyring"
		}
	}
	if s := src.AzureDisk; s != nil {
		if s.CachingMode == nil {
			s.CachingMode = ptr(v1.AzureDataDiskCachingReadWrite)
		}
		if s.FSType == nil {
			s.FSType = ptr("ext4")
		}
		if s.ReadOnly == nil {
			s.ReadOnly = ptr(false)
		}
		if s.Kind == nil {
			s.Kind = ptr(v1.AzureSharedBlobDisk)
		}
	}
	if s := src.ScaleIO; s != nil {
		if s.StorageMode == "" {
			s.StorageMode = "ThinProvisioned"
		}
		if s.FSType == "" {
			s.FSType = "xfs"
		}
	}
	if s := src.Ephemeral; s != nil && s.VolumeClaimTemplate != nil {
		spec := &s.VolumeClaimTemplate.Spec
		if spec.VolumeMode == nil {
			spec.VolumeMode = ptr(v1.PersistentVolumeFilesystem)
		}
		roundResourceList(spec.Resources.Limits)
		roundResourceList(spec.Resources.Requests)
	}
}

// allPointersNil tells whether every pointer field of the struct *s is nil;
// it keeps "no volume source" correct as upstream adds new source types.
func allPointersNil(s interface{}) bool {
	v := reflect.ValueOf(s).Elem()
	for i := 0; i < v.NumField(); i++ {
		if f := v.Field(i); f.Kind() == reflect.Pointer && !f.IsNil() {
			return false
		}
	}
	return true
}
