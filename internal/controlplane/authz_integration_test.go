package controlplane_test

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/controlplane"
)

// TestViewUser: a user bound to view reads but may not write, and the 403
// names the user, verb and resource exactly as upstream words it.
func TestViewUser(t *testing.T) {
	s := server(t)
	admin := s.Client()
	ns := s.CreateNamespace(t)
	ctx := ctxFor(t)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}
	if _, err := admin.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	bindClusterRole(t, admin, ns, "viewer", "view")
	viewer := s.ClientFor(t, "viewer", "dev-team")

	eventually(t, "viewer gets the pod", func() error {
		_, err := viewer.CoreV1().Pods(ns).Get(ctx, "web", metav1.GetOptions{})
		return err
	})
	tests := []struct {
		name     string
		call     func() error
		wantCode int32 // 0: allowed
		wantMsg  string
	}{
		{"list pods", func() error { _, err := viewer.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{}); return err }, 0, ""},
		{"delete a pod", func() error { return viewer.CoreV1().Pods(ns).Delete(ctx, "web", metav1.DeleteOptions{}) }, 403,
			fmt.Sprintf(`pods "web" is forbidden: User "viewer" cannot delete resource "pods" in API group "" in the namespace %q`, ns)},
		{"read a secret", func() error { _, err := viewer.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{}); return err }, 403,
			fmt.Sprintf(`secrets is forbidden: User "viewer" cannot list resource "secrets" in API group "" in the namespace %q`, ns)},
		{"list pods in another namespace", func() error { _, err := viewer.CoreV1().Pods("default").List(ctx, metav1.ListOptions{}); return err }, 403,
			`pods is forbidden: User "viewer" cannot list resource "pods" in API group "" in the namespace "default"`},
		{"list nodes", func() error { _, err := viewer.CoreV1().Nodes().List(ctx, metav1.ListOptions{}); return err }, 403,
			`nodes is forbidden: User "viewer" cannot list resource "nodes" in API group "" at the cluster scope`},
		{"discovery", func() error { _, err := viewer.Discovery().ServerVersion(); return err }, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if tt.wantCode == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var status apierrors.APIStatus
			if !errorsAs(err, &status) || status.Status().Code != tt.wantCode || status.Status().Message != tt.wantMsg {
				t.Fatalf("got %v, want %d %q", err, tt.wantCode, tt.wantMsg)
			}
		})
	}
}

// TestNodeAuthorizer: a kubelet reads the secrets its pods use and nothing
// else; another node does not read them either.
func TestNodeAuthorizer(t *testing.T) {
	s := server(t)
	admin := s.Client()
	ns := s.CreateNamespace(t)
	ctx := ctxFor(t)
	for _, name := range []string{"mounted", "unused"} {
		secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name}, StringData: map[string]string{"k": "v"}}
		if _, err := admin.CoreV1().Secrets(ns).Create(ctx, secret, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "app"}, Spec: corev1.PodSpec{
		NodeName:   "node-a",
		Containers: []corev1.Container{{Name: "c", Image: "busybox"}},
		Volumes:    []corev1.Volume{{Name: "s", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "mounted"}}}},
	}}
	if _, err := admin.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	nodeClient := func(name string) *clientsetFor {
		cfg, err := controlplane.ClientConfig(s.PKI(), s.URL(), controlplane.NodeIdentity(name))
		if err != nil {
			t.Fatal(err)
		}
		return newClientset(t, cfg)
	}
	nodeA, nodeB := nodeClient("node-a"), nodeClient("node-b")
	eventually(t, "node-a reads the secret its pod mounts", func() error {
		_, err := nodeA.CoreV1().Secrets(ns).Get(ctx, "mounted", metav1.GetOptions{})
		return err
	})
	tests := []struct {
		name    string
		client  *clientsetFor
		secret  string
		wantMsg string // "" allowed
	}{
		{"node-a, a secret no pod of it uses", nodeA, "unused",
			fmt.Sprintf(`secrets "unused" is forbidden: User "system:node:node-a" cannot get resource "secrets" in API group "" in the namespace %q: no relationship found between node 'node-a' and this object`, ns)},
		{"node-b, another node's pod's secret", nodeB, "mounted",
			fmt.Sprintf(`secrets "mounted" is forbidden: User "system:node:node-b" cannot get resource "secrets" in API group "" in the namespace %q: no relationship found between node 'node-b' and this object`, ns)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.client.CoreV1().Secrets(ns).Get(ctx, tt.secret, metav1.GetOptions{})
			if !apierrors.IsForbidden(err) || err.Error() != tt.wantMsg {
				t.Fatalf("got %v\nwant %s", err, tt.wantMsg)
			}
		})
	}
	// Listing secrets is never a node's business.
	if _, err := nodeA.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("node lists secrets: %v", err)
	}
	// Its own Node object it may read; pods it may list (cluster-wide, to find its own).
	if _, err := nodeA.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=node-a"}); err != nil {
		t.Fatalf("node lists its pods: %v", err)
	}
}

// TestComponentIdentities: each component's identity gets its role and no
// more: nothing but the admin is cluster-admin.
func TestComponentIdentities(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	tests := []struct {
		id                   controlplane.Identity
		pods, nodes, secrets bool // may list
	}{
		{controlplane.SchedulerIdentity, true, true, false},
		// Its shared informers list and watch everything, as upstream's.
		{controlplane.ControllerManagerIdentity, true, true, true},
		{controlplane.ProxyIdentity, false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.id.User, func(t *testing.T) {
			cfg, err := controlplane.ClientConfig(s.PKI(), s.URL(), tt.id)
			if err != nil {
				t.Fatal(err)
			}
			c := newClientset(t, cfg)
			_, err = c.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
			if (err == nil) != tt.pods {
				t.Errorf("list pods: %v", err)
			}
			_, err = c.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
			if (err == nil) != tt.nodes {
				t.Errorf("list nodes: %v", err)
			}
			_, err = c.CoreV1().Secrets("kube-system").List(ctx, metav1.ListOptions{})
			if (err == nil) != tt.secrets {
				t.Errorf("list secrets: %v", err)
			}
			if err := c.RbacV1().ClusterRoles().Delete(ctx, "view", metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}}); !apierrors.IsForbidden(err) {
				t.Errorf("delete a cluster role: %v, want 403", err)
			}
		})
	}
}

// TestResourceNamesWithFieldSelector: a list narrowed to one name is
// authorized as that name, so a resourceNames rule allows it.
func TestResourceNamesWithFieldSelector(t *testing.T) {
	s := server(t)
	admin := s.Client()
	ns := s.CreateNamespace(t)
	ctx := ctxFor(t)
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "one-configmap"}, Rules: []rbacv1.PolicyRule{
		{Verbs: []string{"get", "list", "watch"}, APIGroups: []string{""}, Resources: []string{"configmaps"}, ResourceNames: []string{"settings"}},
	}}
	if _, err := admin.RbacV1().Roles(ns).Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "one-configmap"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "one-configmap"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "narrow"}}}
	if _, err := admin.RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"settings", "other"} {
		if _, err := admin.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	narrow := s.ClientFor(t, "narrow")
	eventually(t, "narrow gets settings", func() error {
		_, err := narrow.CoreV1().ConfigMaps(ns).Get(ctx, "settings", metav1.GetOptions{})
		return err
	})
	list, err := narrow.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{FieldSelector: "metadata.name=settings"})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("list by name: %v %v", list, err)
	}
	w, err := narrow.CoreV1().ConfigMaps(ns).Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=settings"})
	if err != nil {
		t.Fatalf("watch by name: %v", err)
	}
	w.Stop()
	if _, err := narrow.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("list of all: %v, want 403", err)
	}
	if _, err := narrow.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{FieldSelector: "metadata.name=other"}); !apierrors.IsForbidden(err) ||
		!strings.Contains(err.Error(), `configmaps "other" is forbidden`) {
		t.Fatalf("list of another name: %v, want 403 naming it", err)
	}
}

// TestBootstrapPolicy: the policy is in place, labelled as upstream's.
func TestBootstrapPolicy(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	for _, name := range []string{"cluster-admin", "admin", "edit", "view", "system:basic-user", "system:discovery",
		"system:public-info-viewer", "system:node", "system:kube-scheduler", "system:kube-controller-manager", "system:node-proxier"} {
		cr, err := s.Client().RbacV1().ClusterRoles().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Errorf("clusterrole %s: %v", name, err)
			continue
		}
		if cr.Labels["kubernetes.io/bootstrapping"] != "rbac-defaults" {
			t.Errorf("clusterrole %s labels %v", name, cr.Labels)
		}
	}
	crb, err := s.Client().RbacV1().ClusterRoleBindings().Get(ctx, "cluster-admin", metav1.GetOptions{})
	if err != nil || len(crb.Subjects) != 1 || crb.Subjects[0].Name != "system:masters" {
		t.Fatalf("cluster-admin binding %+v %v", crb, err)
	}
}
