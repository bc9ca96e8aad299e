package plugins

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/utils/ptr"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

func TestServiceAccount(t *testing.T) {
	accounts := corelisters.NewServiceAccountLister(indexer(t,
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "default"}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "builder"},
			ImagePullSecrets: []corev1.LocalObjectReference{{Name: "registry"}}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "quiet"},
			AutomountServiceAccountToken: ptr.To(false)},
	))
	// "late" exists only in the API: the lister has not seen it yet.
	client := fake.NewClientset(&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "late"}})
	plugin := &ServiceAccount{Accounts: accounts, Client: client.CoreV1(), retryInterval: time.Millisecond}

	withInit := func(p *corev1.Pod) *corev1.Pod {
		p.Spec.InitContainers = []corev1.Container{{Name: "init", Image: "busybox"}}
		return p
	}
	mirror := func(p *corev1.Pod) *corev1.Pod {
		p.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "hash"}
		return p
	}
	tests := []struct {
		name    string
		pod     *corev1.Pod
		wantErr string
		account string
		mounted bool // every container mounts the token volume
		pulls   []string
	}{
		{name: "no account gets default with a token", pod: withInit(pod("ns", "p")), account: "default", mounted: true},
		{name: "named account", pod: func() *corev1.Pod { p := pod("ns", "p"); p.Spec.ServiceAccountName = "builder"; return p }(),
			account: "builder", mounted: true, pulls: []string{"registry"}},
		{name: "account only in the API", pod: func() *corev1.Pod { p := pod("ns", "p"); p.Spec.ServiceAccountName = "late"; return p }(),
			account: "late", mounted: true},
		{name: "missing account", pod: func() *corev1.Pod { p := pod("ns", "p"); p.Spec.ServiceAccountName = "ghost"; return p }(),
			wantErr: `pods "p" is forbidden: error looking up service account ns/ghost: serviceaccount "ghost" not found`},
		{name: "missing default account", pod: pod("other", "p"),
			wantErr: `pods "p" is forbidden: error looking up service account other/default: serviceaccount "default" not found`},
		{name: "pod opts out", pod: func() *corev1.Pod { p := pod("ns", "p"); p.Spec.AutomountServiceAccountToken = ptr.To(false); return p }(),
			account: "default"},
		{name: "account opts out", pod: func() *corev1.Pod { p := pod("ns", "p"); p.Spec.ServiceAccountName = "quiet"; return p }(),
			account: "quiet"},
		{name: "pod overrides the account's opt-out", pod: func() *corev1.Pod {
			p := pod("ns", "p")
			p.Spec.ServiceAccountName, p.Spec.AutomountServiceAccountToken = "quiet", ptr.To(true)
			return p
		}(), account: "quiet", mounted: true},
		{name: "mirror pod untouched", pod: mirror(pod("ns", "p"))},
		{name: "mirror pod with account", pod: func() *corev1.Pod { p := mirror(pod("ns", "p")); p.Spec.ServiceAccountName = "default"; return p }(),
			wantErr: `pods "p" is forbidden: a mirror pod may not reference service accounts`},
		{name: "mirror pod with secret", pod: func() *corev1.Pod {
			p := mirror(pod("ns", "p"))
			p.Spec.Volumes = []corev1.Volume{{Name: "s", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "x"}}}}
			return p
		}(), wantErr: `pods "p" is forbidden: a mirror pod may not reference secrets`},
		{name: "mirror pod with env secret", pod: func() *corev1.Pod {
			p := mirror(pod("ns", "p"))
			p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "X", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{Key: "k"}}}}
			return p
		}(), wantErr: `pods "p" is forbidden: a mirror pod may not reference secrets`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := createPod(tt.pod)
			err := plugin.Admit(context.Background(), a)
			expect(t, err, tt.wantErr)
			if err != nil {
				return
			}
			p := a.Object.(*corev1.Pod)
			if p.Spec.ServiceAccountName != tt.account {
				t.Errorf("account %q, want %q", p.Spec.ServiceAccountName, tt.account)
			}
			checkTokenMount(t, p, tt.mounted)
			var pulls []string
			for _, s := range p.Spec.ImagePullSecrets {
				pulls = append(pulls, s.Name)
			}
			if strings.Join(pulls, ",") != strings.Join(tt.pulls, ",") {
				t.Errorf("image pull secrets %v, want %v", pulls, tt.pulls)
			}
			if err := plugin.Validate(context.Background(), a); err != nil {
				t.Errorf("Validate after Admit: %v", err)
			}
		})
	}
}

// checkTokenMount checks upstream's projected volume and that every
// container (or none) mounts it read-only.
func checkTokenMount(t *testing.T, p *corev1.Pod, want bool) {
	t.Helper()
	var vol *corev1.Volume
	for i := range p.Spec.Volumes {
		if strings.HasPrefix(p.Spec.Volumes[i].Name, TokenVolumePrefix) {
			vol = &p.Spec.Volumes[i]
		}
	}
	if !want {
		if vol != nil {
			t.Errorf("unexpected token volume %s", vol.Name)
		}
		return
	}
	if vol == nil || len(vol.Name) != len(TokenVolumePrefix)+5 || vol.Projected == nil {
		t.Fatalf("token volume: %+v", vol)
	}
	src := vol.Projected.Sources
	if len(src) != 3 || src[0].ServiceAccountToken == nil || *src[0].ServiceAccountToken.ExpirationSeconds != 3607 ||
		src[0].ServiceAccountToken.Path != "token" ||
		src[1].ConfigMap == nil || src[1].ConfigMap.Name != "kube-root-ca.crt" || src[1].ConfigMap.Items[0].Key != "ca.crt" ||
		src[2].DownwardAPI == nil || src[2].DownwardAPI.Items[0].FieldRef.FieldPath != "metadata.namespace" {
		t.Errorf("projection: %+v", src)
	}
	for _, c := range append(append([]corev1.Container{}, p.Spec.InitContainers...), p.Spec.Containers...) {
		found := false
		for _, m := range c.VolumeMounts {
			if m.Name == vol.Name && m.MountPath == TokenMountPath && m.ReadOnly {
				found = true
			}
		}
		if !found {
			t.Errorf("container %s does not mount the token: %+v", c.Name, c.VolumeMounts)
		}
	}
}

// TestServiceAccountKeepsExistingMount: a container that mounts something
// at the token path keeps it, and a pod that already has our volume does
// not get a second one.
func TestServiceAccountKeepsExistingMount(t *testing.T) {
	accounts := corelisters.NewServiceAccountLister(indexer(t,
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "default"}}))
	plugin := &ServiceAccount{Accounts: accounts}
	p := pod("ns", "p", corev1.ResourceRequirements{}, corev1.ResourceRequirements{})
	p.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "mine", MountPath: TokenMountPath}}
	p.Spec.Volumes = []corev1.Volume{{Name: "mine"}, {Name: TokenVolumePrefix + "abcde"}}
	if err := plugin.Admit(context.Background(), createPod(p)); err != nil {
		t.Fatal(err)
	}
	if len(p.Spec.Volumes) != 2 {
		t.Errorf("volumes: %+v", p.Spec.Volumes)
	}
	if m := p.Spec.Containers[0].VolumeMounts; len(m) != 1 || m[0].Name != "mine" {
		t.Errorf("first container mounts %+v", m)
	}
	if m := p.Spec.Containers[1].VolumeMounts; len(m) != 1 || m[0].Name != TokenVolumePrefix+"abcde" {
		t.Errorf("second container mounts %+v", m)
	}
}

// TestServiceAccountIgnores: other resources, subresources and updates.
func TestServiceAccountIgnores(t *testing.T) {
	plugin := &ServiceAccount{}
	for _, a := range []*admission.Attributes{
		attrs(admission.Update, podGVR, "Pod", pod("ns", "p"), pod("ns", "p")),
		func() *admission.Attributes { a := createPod(pod("ns", "p")); a.Subresource = "status"; return a }(),
		attrs(admission.Create, corev1.SchemeGroupVersion.WithResource("configmaps"), "ConfigMap",
			&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "c"}}, nil),
	} {
		if err := plugin.Admit(context.Background(), a); err != nil {
			t.Errorf("%s %s: %v", a.Operation, a.Resource.Resource, err)
		}
	}
}
