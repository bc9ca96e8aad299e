package schedtest

import (
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
)

// Pod is a pod named name in namespace "ns" with one container.
func Pod(name string, opts ...func(*v1.Pod)) *v1.Pod {
	p := &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", UID: types.UID("uid-" + name)},
		Spec:       v1.PodSpec{Containers: []v1.Container{{Name: "c", Image: "img"}}},
	}
	for _, o := range opts {
		o(p)
	}
	return p
}

// Requests sets the first container's requests, "cpu", "500m", ...
func Requests(kv ...string) func(*v1.Pod) {
	return func(p *v1.Pod) { p.Spec.Containers[0].Resources.Requests = List(kv...) }
}

// Labels sets the pod's labels.
func Labels(kv ...string) func(*v1.Pod) {
	return func(p *v1.Pod) { p.Labels = Map(kv...) }
}

// On binds the pod to node.
func On(node string) func(*v1.Pod) { return func(p *v1.Pod) { p.Spec.NodeName = node } }

// Namespace sets the pod's namespace.
func Namespace(ns string) func(*v1.Pod) { return func(p *v1.Pod) { p.Namespace = ns } }

// Tolerations sets the pod's tolerations.
func Tolerations(t ...v1.Toleration) func(*v1.Pod) {
	return func(p *v1.Pod) { p.Spec.Tolerations = t }
}

// Affinity sets the pod's affinity.
func Affinity(a *v1.Affinity) func(*v1.Pod) { return func(p *v1.Pod) { p.Spec.Affinity = a } }

// HostPort adds a host port to the first container.
func HostPort(ip string, proto v1.Protocol, port int32) func(*v1.Pod) {
	return func(p *v1.Pod) {
		p.Spec.Containers[0].Ports = append(p.Spec.Containers[0].Ports,
			v1.ContainerPort{HostIP: ip, Protocol: proto, HostPort: port, ContainerPort: port})
	}
}

// Node is a node with allocatable cpu/memory/pods given as "cpu", "4", ...
func Node(name string, opts ...func(*v1.Node)) *v1.Node {
	n := &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{v1.LabelHostname: name}}}
	n.Status.Allocatable = List("cpu", "4", "memory", "8Gi", "pods", "110")
	for _, o := range opts {
		o(n)
	}
	return n
}

// Allocatable replaces the node's allocatable.
func Allocatable(kv ...string) func(*v1.Node) {
	return func(n *v1.Node) { n.Status.Allocatable = List(kv...) }
}

// NodeLabels adds labels.
func NodeLabels(kv ...string) func(*v1.Node) {
	return func(n *v1.Node) {
		for k, v := range Map(kv...) {
			n.Labels[k] = v
		}
	}
}

// Taints sets the node's taints.
func Taints(t ...v1.Taint) func(*v1.Node) { return func(n *v1.Node) { n.Spec.Taints = t } }

// Info is a NodeInfo for node with pods on it.
func Info(node *v1.Node, pods ...*v1.Pod) *framework.NodeInfo {
	ni := framework.NewNodeInfo(node)
	for _, p := range pods {
		ni.AddPod(framework.NewPodInfo(p))
	}
	return ni
}

// List makes a ResourceList from name/quantity pairs.
func List(kv ...string) v1.ResourceList {
	rl := v1.ResourceList{}
	for i := 0; i+1 < len(kv); i += 2 {
		rl[v1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return rl
}

// Map makes a string map from pairs.
func Map(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}
