package plugins

import (
	"context"
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/utils/ptr"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

func TestNodeRestriction(t *testing.T) {
	self := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1", UID: "node-uid",
		Labels: map[string]string{"kubernetes.io/hostname": "n1", "node-role.kubernetes.io/worker": ""}},
		Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: "dedicated", Effect: corev1.TaintEffectNoSchedule}}}}
	boundHere := pod("ns", "here")
	boundHere.Spec.NodeName = "n1"
	boundThere := pod("ns", "there")
	boundThere.Spec.NodeName = "n2"
	plugin := &NodeRestriction{
		Nodes: corelisters.NewNodeLister(indexer(t, self)),
		Pods:  corelisters.NewPodLister(indexer(t, boundHere, boundThere)),
	}

	nodesGVR := corev1.SchemeGroupVersion.WithResource("nodes")
	leasesGVR := coordinationv1.SchemeGroupVersion.WithResource("leases")
	sub := func(a *admission.Attributes, s string) *admission.Attributes { a.Subresource = s; return a }
	named := func(a *admission.Attributes, name string) *admission.Attributes { a.Name = name; return a }
	asNode := func(a *admission.Attributes) *admission.Attributes {
		return asUser(a, "system:node:n1", "system:nodes")
	}

	mirror := func(mutate func(p *corev1.Pod)) *corev1.Pod {
		p := pod("ns", "static-n1")
		p.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "hash"}
		p.Spec.NodeName = "n1"
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: "n1", UID: "node-uid", Controller: ptr.To(true)}}
		if mutate != nil {
			mutate(p)
		}
		return p
	}
	node := func(mutate func(n *corev1.Node)) *corev1.Node {
		n := self.DeepCopy()
		if mutate != nil {
			mutate(n)
		}
		return n
	}
	unlabel := func(n *corev1.Node) { delete(n.Labels, "node-role.kubernetes.io/worker") }
	lease := func(ns, name string) *coordinationv1.Lease {
		return &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	}
	status := func(p *corev1.Pod, labels map[string]string) *admission.Attributes {
		cur := p.DeepCopy()
		cur.Labels = labels
		return sub(attrs(admission.Update, podGVR, "Pod", cur, p), "status")
	}
	token := func(podName string, uid types.UID) *admission.Attributes {
		tr := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
			BoundObjectRef: &authenticationv1.BoundObjectReference{APIVersion: "v1", Kind: "Pod", Name: podName, UID: uid}}}
		a := attrs(admission.Create, corev1.SchemeGroupVersion.WithResource("serviceaccounts"), "TokenRequest", tr, nil)
		a.Namespace, a.Name, a.Subresource = "ns", "default", "token"
		return a
	}
	eviction := func(name string) *admission.Attributes {
		a := sub(attrs(admission.Create, podGVR, "Eviction", &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name}}, nil), "eviction")
		return a
	}

	tests := []struct {
		name string
		a    *admission.Attributes
		want string
	}{
		{"not a node", asUser(createPod(pod("ns", "p")), "alice"), ""},
		{"node without a name", asUser(createPod(pod("ns", "p")), "system:node:", "system:nodes"),
			`pods "p" is forbidden: could not determine node from user "system:node:"`},
		// pods
		{"mirror pod", asNode(createPod(mirror(nil))), ""},
		{"regular pod", asNode(createPod(pod("ns", "p"))),
			`pods "p" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods`},
		{"mirror pod for another node", asNode(createPod(mirror(func(p *corev1.Pod) { p.Spec.NodeName = "n2" }))),
			`pods "static-n1" is forbidden: node "n1" can only create pods with spec.nodeName set to itself`},
		{"mirror pod without owner", asNode(createPod(mirror(func(p *corev1.Pod) { p.OwnerReferences = nil }))),
			`pods "static-n1" is forbidden: node "n1" can only create pods with an owner reference set to itself`},
		{"mirror pod owned by another node", asNode(createPod(mirror(func(p *corev1.Pod) { p.OwnerReferences[0].Name = "n2" }))),
			`pods "static-n1" is forbidden: node "n1" can only create pods with an owner reference set to itself`},
		{"mirror pod with a stale node UID", asNode(createPod(mirror(func(p *corev1.Pod) { p.OwnerReferences[0].UID = "old" }))),
			`pods "static-n1" is forbidden: node n1 UID mismatch: expected old got node-uid`},
		{"mirror pod not controlled", asNode(createPod(mirror(func(p *corev1.Pod) { p.OwnerReferences[0].Controller = nil }))),
			`pods "static-n1" is forbidden: node "n1" can only create pods with a controller owner reference set to itself`},
		{"mirror pod with a secret", asNode(createPod(mirror(func(p *corev1.Pod) {
			p.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "pull"}}
		}))), `pods "static-n1" is forbidden: node "n1" can not create pods that reference secrets`},
		{"mirror pod with a configmap", asNode(createPod(mirror(func(p *corev1.Pod) {
			p.Spec.Containers[0].EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{}}}
		}))), `pods "static-n1" is forbidden: node "n1" can not create pods that reference configmaps`},
		{"mirror pod with a claim", asNode(createPod(mirror(func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "c"}}}}
		}))), `pods "static-n1" is forbidden: node "n1" can not create pods that reference persistentvolumeclaims`},
		{"mirror pod with an account", asNode(createPod(mirror(func(p *corev1.Pod) { p.Spec.ServiceAccountName = "default" }))),
			`pods "static-n1" is forbidden: node "n1" can not create pods that reference a service account`},
		{"delete own pod", asNode(attrs(admission.Delete, podGVR, "Pod", nil, boundHere)), ""},
		{"delete another node's pod", asNode(attrs(admission.Delete, podGVR, "Pod", nil, boundThere)),
			`pods "there" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself`},
		{"update a pod", asNode(attrs(admission.Update, podGVR, "Pod", boundHere, boundHere)),
			`pods "here" is forbidden: unexpected operation "UPDATE", node "n1" can only create and delete mirror pods`},
		{"own pod status", asNode(status(boundHere, nil)), ""},
		{"other pod status", asNode(status(boundThere, nil)),
			`pods "there" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself`},
		{"labels through status", asNode(status(boundHere, map[string]string{"app": "x"})),
			`pods "here" is forbidden: node "n1" cannot update labels through pod status`},
		{"evict own pod", asNode(named(eviction("here"), "here")), ""},
		{"evict another node's pod", asNode(named(eviction("there"), "there")),
			`pods "there" is forbidden: node n1 can only evict pods with spec.nodeName set to itself`},
		{"evict a missing pod", asNode(named(eviction("ghost"), "ghost")), `pod "ghost" not found`},
		{"pod exec", asNode(sub(createPod(boundHere), "exec")),
			`pods "here" is forbidden: unexpected pod subresource "exec", only 'status' and 'eviction' are allowed`},
		// nodes
		{"register itself", asNode(attrs(admission.Create, nodesGVR, "Node", node(unlabel), nil)), ""},
		{"register with a role", asNode(attrs(admission.Create, nodesGVR, "Node", node(nil), nil)),
			`nodes "n1" is forbidden: node "n1" is not allowed to set the following labels: node-role.kubernetes.io/worker`},
		{"register another node", asNode(attrs(admission.Create, nodesGVR, "Node", node(func(n *corev1.Node) { n.Name = "n2" }), nil)),
			`nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"`},
		{"register with a restricted label", asNode(attrs(admission.Create, nodesGVR, "Node", node(func(n *corev1.Node) {
			unlabel(n)
			n.Labels["node-restriction.kubernetes.io/trusted"] = "yes"
		}), nil)), `nodes "n1" is forbidden: node "n1" is not allowed to set the following labels: node-restriction.kubernetes.io/trusted`},
		{"update allowed labels", asNode(attrs(admission.Update, nodesGVR, "Node", node(func(n *corev1.Node) {
			n.Labels["kubelet.kubernetes.io/x"], n.Labels["node.kubernetes.io/y"], n.Labels["example.com/z"] = "1", "2", "3"
			n.Labels["topology.kubernetes.io/zone"] = "a"
		}), self)), ""},
		{"update a role label", asNode(attrs(admission.Update, nodesGVR, "Node", node(func(n *corev1.Node) {
			delete(n.Labels, "node-role.kubernetes.io/worker")
			n.Labels["node-role.kubernetes.io/control-plane"] = ""
		}), self)), `nodes "n1" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/control-plane, node-role.kubernetes.io/worker`},
		{"update taints", asNode(attrs(admission.Update, nodesGVR, "Node", node(func(n *corev1.Node) { n.Spec.Taints = nil }), self)),
			`nodes "n1" is forbidden: node "n1" is not allowed to modify taints`},
		{"update status", asNode(sub(attrs(admission.Update, nodesGVR, "Node", node(func(n *corev1.Node) {
			n.Status.Phase = corev1.NodeRunning
		}), self), "status")), ""},
		{"update another node", asNode(attrs(admission.Update, nodesGVR, "Node", node(func(n *corev1.Node) { n.Name = "n2" }), node(func(n *corev1.Node) { n.Name = "n2" }))),
			`nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"`},
		{"delete itself", asNode(attrs(admission.Delete, nodesGVR, "Node", nil, self)), ""},
		// leases
		{"own lease", asNode(attrs(admission.Create, leasesGVR, "Lease", lease("kube-node-lease", "n1"), nil)), ""},
		{"another node's lease", asNode(attrs(admission.Update, leasesGVR, "Lease", lease("kube-node-lease", "n2"), lease("kube-node-lease", "n2"))),
			`leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node`},
		{"lease elsewhere", asNode(attrs(admission.Create, leasesGVR, "Lease", lease("default", "n1"), nil)),
			`leases.coordination.k8s.io "n1" is forbidden: can only access leases in the "kube-node-lease" system namespace`},
		// tokens
		{"token for own pod", asNode(token("here", "uid-here")), ""},
		{"token for another node's pod", asNode(token("there", "uid-there")),
			`serviceaccounts "default" is forbidden: node requested token bound to a pod scheduled on a different node`},
		{"token for a recreated pod", asNode(token("here", "stale")),
			`serviceaccounts "default" is forbidden: the UID in the bound object reference (stale) does not match the UID in record. The object might have been deleted and then recreated`},
		{"unbound token", asNode(token("", "")),
			`serviceaccounts "default" is forbidden: node requested token not bound to a pod`},
		// other resources pass
		{"configmap", asNode(attrs(admission.Create, corev1.SchemeGroupVersion.WithResource("configmaps"), "ConfigMap",
			&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "c"}}, nil)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, plugin.Validate(context.Background(), tt.a), tt.want)
		})
	}
}
