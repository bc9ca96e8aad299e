package node

import (
	"context"
	"errors"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/authz"
)

func fixture() []any {
	ref := func(n string) corev1.LocalObjectReference { return corev1.LocalObjectReference{Name: n} }
	return []any{
		pod("ns", "web", "n1",
			vol("s", corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "s-volume"}}),
			vol("p", corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
				{Secret: &corev1.SecretProjection{LocalObjectReference: ref("s-projected")}},
				{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: ref("cm-projected")}},
			}}}),
			vol("c", corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: ref("cm-volume")}}),
			vol("csi", corev1.VolumeSource{CSI: &corev1.CSIVolumeSource{Driver: "d", NodePublishSecretRef: &corev1.LocalObjectReference{Name: "s-csi"}}}),
			vol("data", corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "claim"}}),
			vol("scratch", corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{}}),
			env(secretKey("s-env")),
			env(corev1.EnvVar{Name: "Y", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: ref("cm-env"), Key: "k"}}}),
			func(s *corev1.PodSpec) {
				s.ServiceAccountName = "web-sa"
				s.ImagePullSecrets = []corev1.LocalObjectReference{ref("s-pull")}
				s.Containers[0].EnvFrom = []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: ref("s-envfrom")}},
					{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: ref("cm-envfrom")}}}
				s.InitContainers = []corev1.Container{{Name: "init", Env: []corev1.EnvVar{secretKey("s-init")}}}
				s.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug", Env: []corev1.EnvVar{secretKey("s-ephemeral")}}}}
			},
		),
		pod("ns", "other", "n2",
			vol("s", corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "s-elsewhere"}}),
			vol("data", corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "claim-elsewhere"}}),
			func(s *corev1.PodSpec) { s.ServiceAccountName = "other-sa" },
		),
		&corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "claim"}, Spec: corev1.PersistentVolumeClaimSpec{VolumeName: "pv-1"}},
		&corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "claim-elsewhere"}, Spec: corev1.PersistentVolumeClaimSpec{VolumeName: "pv-2"}},
		&corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pv-1"}, Spec: corev1.PersistentVolumeSpec{PersistentVolumeSource: corev1.PersistentVolumeSource{
			CSI: &corev1.CSIPersistentVolumeSource{Driver: "d",
				NodeStageSecretRef:         &corev1.SecretReference{Namespace: "vault", Name: "s-stage"},
				ControllerPublishSecretRef: &corev1.SecretReference{Namespace: "vault", Name: "s-controller"}}}}},
		&corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pv-2"}},
	}
}

func TestAuthorize(t *testing.T) {
	z := newStores(t, fixture()...).authorizer()
	allow, none := authz.Allow, authz.NoOpinion
	n1 := nodeUser("n1")
	noRel := "no relationship found between node 'n1' and this object"
	tests := []struct {
		name   string
		user   *authn.User
		attr   authz.Attributes
		want   authz.Decision
		reason string
	}{
		{"not a node", &authn.User{Name: "alice"}, res("get", "", "secrets", "", "ns", "s-volume"), none, ""},
		{"node name without group", &authn.User{Name: "system:node:n1"}, res("get", "", "secrets", "", "ns", "s-volume"), none, ""},
		{"unidentified node", &authn.User{Name: "system:node:", Groups: []string{NodesGroup}}, res("get", "", "nodes", "", "", "n1"), none, `unknown node for user "system:node:"`},

		{"secret volume", n1, res("get", "", "secrets", "", "ns", "s-volume"), allow, ""},
		{"secret projected", n1, res("get", "", "secrets", "", "ns", "s-projected"), allow, ""},
		{"secret env", n1, res("get", "", "secrets", "", "ns", "s-env"), allow, ""},
		{"secret envFrom", n1, res("get", "", "secrets", "", "ns", "s-envfrom"), allow, ""},
		{"secret init container", n1, res("get", "", "secrets", "", "ns", "s-init"), allow, ""},
		{"secret ephemeral container", n1, res("get", "", "secrets", "", "ns", "s-ephemeral"), allow, ""},
		{"secret image pull", n1, res("get", "", "secrets", "", "ns", "s-pull"), allow, ""},
		{"secret csi inline", n1, res("get", "", "secrets", "", "ns", "s-csi"), allow, ""},
		{"secret of pv node stage", n1, res("get", "", "secrets", "", "vault", "s-stage"), allow, ""},
		{"secret of pv controller side", n1, res("get", "", "secrets", "", "vault", "s-controller"), none, noRel},
		{"secret watch by name", n1, res("watch", "", "secrets", "", "ns", "s-volume"), allow, ""},
		{"secret of another node", n1, res("get", "", "secrets", "", "ns", "s-elsewhere"), none, noRel},
		{"secret unused", n1, res("get", "", "secrets", "", "ns", "nobody"), none, noRel},
		{"secret same name other namespace", n1, res("get", "", "secrets", "", "other", "s-volume"), none, noRel},
		{"secret list all", n1, res("list", "", "secrets", "", "ns", ""), none, "No Object name found"},
		{"secret write", n1, res("update", "", "secrets", "", "ns", "s-volume"), none, "can only read resources of this type"},
		{"secret cluster-wide", n1, res("get", "", "secrets", "", "", "s-volume"), none, "can only read namespaced object of this type"},

		{"configmap volume", n1, res("get", "", "configmaps", "", "ns", "cm-volume"), allow, ""},
		{"configmap projected", n1, res("get", "", "configmaps", "", "ns", "cm-projected"), allow, ""},
		{"configmap env", n1, res("get", "", "configmaps", "", "ns", "cm-env"), allow, ""},
		{"configmap envFrom", n1, res("list", "", "configmaps", "", "ns", "cm-envfrom"), allow, ""},
		{"configmap unused", n1, res("get", "", "configmaps", "", "ns", "kube-root-ca.crt"), none, noRel},

		{"claim mounted", n1, res("get", "", "persistentvolumeclaims", "", "ns", "claim"), allow, ""},
		{"ephemeral claim", n1, res("get", "", "persistentvolumeclaims", "", "ns", "web-scratch"), allow, ""},
		{"claim of another node", n1, res("get", "", "persistentvolumeclaims", "", "ns", "claim-elsewhere"), none, noRel},
		{"claim list", n1, res("list", "", "persistentvolumeclaims", "", "ns", ""), none, "can only get individual resources of this type"},
		{"claim status update", n1, res("patch", "", "persistentvolumeclaims", "status", "ns", "claim"), allow, ""},
		{"claim status get", n1, res("get", "", "persistentvolumeclaims", "status", "ns", "claim"), none, "can only get/update/patch this type"},
		{"volume of mounted claim", n1, res("get", "", "persistentvolumes", "", "", "pv-1"), allow, ""},
		{"volume of another node", n1, res("get", "", "persistentvolumes", "", "", "pv-2"), none, noRel},

		{"token for pod's account", n1, res("create", "", "serviceaccounts", "token", "ns", "web-sa"), allow, ""},
		{"token for another node's account", n1, res("create", "", "serviceaccounts", "token", "ns", "other-sa"), none, noRel},
		{"service account get", n1, res("get", "", "serviceaccounts", "", "ns", "web-sa"), none, "can only create tokens for individual service accounts"},
		{"service account update", n1, res("create", "", "serviceaccounts", "", "ns", "web-sa"), none, "can only create token subresource of serviceaccount"},

		{"read other nodes", n1, res("get", "", "nodes", "", "", "n2"), allow, ""},
		{"list nodes", n1, res("list", "", "nodes", "", "", ""), allow, ""},
		{"register", n1, res("create", "", "nodes", "", "", ""), allow, ""},
		{"update own node", n1, res("update", "", "nodes", "", "", "n1"), allow, ""},
		{"patch other node", n1, res("patch", "", "nodes", "", "", "n2"), none, "can only modify the node object of node 'n1'"},
		{"own status", n1, res("patch", "", "nodes", "status", "", "n1"), allow, ""},
		{"other status", n1, res("update", "", "nodes", "status", "", "n2"), none, "can only modify the node object of node 'n1'"},
		{"delete own node", n1, res("delete", "", "nodes", "", "", "n1"), none, ""},

		{"read pods", n1, res("get", "", "pods", "", "ns", "other"), allow, ""},
		{"watch pods", n1, res("watch", "", "pods", "", "", ""), allow, ""},
		{"mirror pod", n1, res("create", "", "pods", "", "ns", ""), allow, ""},
		{"delete own pod", n1, res("delete", "", "pods", "", "ns", "web"), allow, ""},
		{"delete other pod", n1, res("delete", "", "pods", "", "ns", "other"), none, noRel},
		{"own pod status", n1, res("patch", "", "pods", "status", "ns", "web"), allow, ""},
		{"other pod status", n1, res("update", "", "pods", "status", "ns", "other"), none, noRel},
		{"evict own pod", n1, res("create", "", "pods", "eviction", "ns", "web"), allow, ""},
		{"evict other pod", n1, res("create", "", "pods", "eviction", "ns", "other"), none, noRel},
		{"exec", n1, res("create", "", "pods", "exec", "ns", "web"), none, ""},
		{"update pod spec", n1, res("update", "", "pods", "", "ns", "web"), none, ""},

		{"own lease", n1, res("update", "coordination.k8s.io", "leases", "", LeaseNamespace, "n1"), allow, ""},
		{"create lease", n1, res("create", "coordination.k8s.io", "leases", "", LeaseNamespace, ""), allow, ""},
		{"other lease", n1, res("update", "coordination.k8s.io", "leases", "", LeaseNamespace, "n2"), none, "can only access node lease with the same name as the requesting node"},
		{"lease elsewhere", n1, res("get", "coordination.k8s.io", "leases", "", "kube-system", "n1"), none, `can only access leases in the "kube-node-lease" system namespace`},
		{"list leases", n1, res("list", "coordination.k8s.io", "leases", "", LeaseNamespace, ""), none, "can only get, create, update, patch, or delete a node lease"},
		{"own csinode", n1, res("update", "storage.k8s.io", "csinodes", "", "", "n1"), allow, ""},
		{"other csinode", n1, res("get", "storage.k8s.io", "csinodes", "", "", "n2"), none, "can only access CSINode with the same name as the requesting node"},

		{"events", n1, res("create", "", "events", "", "ns", ""), allow, ""},
		{"services", n1, res("list", "", "services", "", "", ""), allow, ""},
		{"endpoints", n1, res("watch", "", "endpoints", "", "", ""), allow, ""},
		{"endpointslices", n1, res("list", "discovery.k8s.io", "endpointslices", "", "", ""), allow, ""},
		{"csr create", n1, res("create", "certificates.k8s.io", "certificatesigningrequests", "", "", ""), allow, ""},
		{"csr get", n1, res("get", "certificates.k8s.io", "certificatesigningrequests", "", "", "csr-1"), allow, ""},
		{"csr approve", n1, res("update", "certificates.k8s.io", "certificatesigningrequests", "approval", "", "csr-1"), none, ""},
		{"token review", n1, res("create", "authentication.k8s.io", "tokenreviews", "", "", ""), allow, ""},
		{"deployments", n1, res("list", "apps", "deployments", "", "", ""), none, ""},
		{"non-resource", n1, authz.Attributes{Verb: "get", Path: "/healthz"}, none, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.attr
			a.User = tc.user
			got, reason, err := z.Authorize(context.Background(), a)
			if err != nil || got != tc.want || reason != tc.reason {
				t.Errorf("got (%v, %q, %v), want (%v, %q)", got, reason, err, tc.want, tc.reason)
			}
		})
	}
}

type failingPods struct{}

func (failingPods) PodsOnNode(string) ([]*corev1.Pod, error) {
	return nil, errors.New("cache not synced")
}

func TestLookupErrorsRefuse(t *testing.T) {
	z := New(failingPods{}, nil, nil, nil)
	a := res("get", "", "secrets", "", "ns", "s")
	a.User = nodeUser("n1")
	if d, reason, err := z.Authorize(context.Background(), a); d != authz.NoOpinion || err != nil || reason == "" {
		t.Errorf("got (%v, %q, %v)", d, reason, err)
	}
}

func TestWithoutVolumeListers(t *testing.T) {
	s := newStores(t, fixture()...)
	z := New(PodIndexer{Indexer: s.pods}, nil, nil, nil)
	for _, a := range []authz.Attributes{
		res("get", "", "persistentvolumes", "", "", "pv-1"),
		res("get", "", "secrets", "", "vault", "s-stage"),
	} {
		a.User = nodeUser("n1")
		if d, _, _ := z.Authorize(context.Background(), a); d != authz.NoOpinion {
			t.Errorf("%s %s: %v without volume listers", a.Resource, a.Name, d)
		}
	}
}
