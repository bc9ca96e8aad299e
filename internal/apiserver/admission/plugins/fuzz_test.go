package plugins

import (
	"context"
	"encoding/json"
	"testing"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	corelisters "k8s.io/client-go/listers/core/v1"
	schedulinglisters "k8s.io/client-go/listers/scheduling/v1"
	storagelisters "k8s.io/client-go/listers/storage/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

// FuzzAdmission feeds pods decoded from arbitrary JSON through the whole
// chain, as creates, updates and deletes by an ordinary user or a node:
// whatever a client sends, the chain must neither panic nor answer with
// anything but an API status (a bare error would be a 500).
func FuzzAdmission(f *testing.F) {
	for _, seed := range []string{
		`{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`,
		`{"metadata":{"name":"p","annotations":{"kubernetes.io/config.mirror":"x"}},"spec":{"nodeName":"n1","containers":[{"name":"c"}]}}`,
		`{"metadata":{"name":"p"},"spec":{"priorityClassName":"system-node-critical","priority":-5,"containers":[{"name":"c","resources":{"requests":{"cpu":"-1","memory":"1Ei"},"limits":{"cpu":"0"}}}]}}`,
		`{"metadata":{"name":"p"},"spec":{"serviceAccountName":"ghost","automountServiceAccountToken":true,"initContainers":[{"name":"i","restartPolicy":"Always"}],"ephemeralContainers":[{"name":"e","securityContext":{"privileged":true}}],"volumes":[{"name":"kube-api-access-x","projected":{"sources":[{"serviceAccountToken":{"path":"t"}}]}}]}}`,
		`{"spec":{"tolerations":[{"operator":"Exists"}],"overhead":{"cpu":"1"},"resources":{"requests":{"cpu":"1"}},"securityContext":{"sysctls":[{"name":"kernel.x"}]},"hostNetwork":true,"containers":[{"ports":[{"hostPort":80}]}]}}`,
		`{"spec":{"affinity":{"podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"namespaces":["a"]}]}},"activeDeadlineSeconds":5,"containers":[{"resources":{"limits":{"hugepages-2Mi":"2Mi","example.com/gpu":"1"}}}]}}`,
		`{"status":{"phase":"Failed"},"metadata":{"deletionTimestamp":"2020-01-01T00:00:00Z","deletionGracePeriodSeconds":0}}`,
	} {
		f.Add([]byte(seed), []byte(`{}`), byte(0))
	}
	chain, namespace := fuzzChain(f)
	f.Fuzz(func(t *testing.T, data, oldData []byte, mode byte) {
		var p, old corev1.Pod
		if json.Unmarshal(data, &p) != nil {
			return
		}
		_ = json.Unmarshal(oldData, &old)
		p.Namespace, old.Namespace = namespace, namespace
		if p.Name == "" {
			p.Name = "fuzzed"
		}
		old.Name = p.Name
		var a *admission.Attributes
		switch mode % 4 {
		case 0:
			a = createPod(&p)
		case 1:
			a = attrs(admission.Update, podGVR, "Pod", &p, &old)
		case 2:
			a = attrs(admission.Update, podGVR, "Pod", &p, &old)
			a.Subresource = []string{"status", "resize", "ephemeralcontainers", "binding"}[int(mode/4)%4]
		case 3:
			a = attrs(admission.Delete, podGVR, "Pod", nil, &old)
		}
		if mode&0x40 != 0 {
			asUser(a, "system:node:n1", "system:nodes")
		} else {
			asUser(a, "alice", "system:authenticated")
		}
		a.DryRun = mode&0x80 != 0
		ctx := context.Background()
		err := chain.Admit(ctx, a)
		if err == nil {
			err = chain.Validate(ctx, a)
		}
		if err != nil {
			if _, ok := err.(apierrors.APIStatus); !ok {
				t.Fatalf("not an API error: %T %v", err, err)
			}
			if apierrors.IsInternalError(err) {
				t.Fatalf("internal error: %v", err)
			}
		}
	})
}

// fuzzChain is the full chain over a namespace with every policy set: a
// restricted PodSecurity level, a LimitRange, quotas with scopes, a
// default priority and storage class.
func fuzzChain(tb testing.TB) (*admission.Chain, string) {
	const ns = "fuzz"
	namespace := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: map[string]string{
		"pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted"}}}
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1", UID: "n1-uid"}}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "default"}}
	lr := &corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "limits"}, Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{
		{Type: corev1.LimitTypeContainer, Default: list("cpu", "1", "memory", "1Gi"), DefaultRequest: list("cpu", "100m"),
			Max: list("cpu", "8"), Min: list("memory", "1Mi"), MaxLimitRequestRatio: list("cpu", "10")},
		{Type: corev1.LimitTypePod, Max: list("memory", "64Gi")},
	}}}
	quotas := []*corev1.ResourceQuota{
		{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "compute"}, Spec: corev1.ResourceQuotaSpec{
			Hard: list("pods", "1000000", "requests.cpu", "1000", "limits.memory", "1Ei", "requests.hugepages-2Mi", "1Gi", "requests.example.com/gpu", "4")},
			// Known usage here; the scoped quota below has none yet, so its
			// first usage is computed on every (uncharged) admission.
			Status: corev1.ResourceQuotaStatus{Used: list("pods", "0", "requests.cpu", "0", "limits.memory", "0", "requests.hugepages-2Mi", "0", "requests.example.com/gpu", "0")}},
		{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "scoped"}, Spec: corev1.ResourceQuotaSpec{
			Hard: list("count/pods", "1000000"), Scopes: []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeNotTerminating},
			ScopeSelector: &corev1.ScopeSelector{MatchExpressions: []corev1.ScopedResourceSelectorRequirement{
				{ScopeName: corev1.ResourceQuotaScopePriorityClass, Operator: corev1.ScopeSelectorOpNotIn, Values: []string{"x"}}}}}},
	}
	pc := &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: "normal"}, Value: 10, GlobalDefault: true}
	sc := &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "local", Annotations: map[string]string{IsDefaultStorageClassAnnotation: "true"}}}

	client := fake.NewClientset(namespace, node, sa, lr, pc, sc, quotas[0], quotas[1])
	d := Deps{
		Client:          client,
		Namespaces:      corelisters.NewNamespaceLister(indexer(tb, namespace)),
		Nodes:           corelisters.NewNodeLister(indexer(tb, node)),
		ServiceAccounts: corelisters.NewServiceAccountLister(indexer(tb, sa)),
		LimitRanges:     corelisters.NewLimitRangeLister(indexer(tb, lr)),
		ResourceQuotas:  corelisters.NewResourceQuotaLister(indexer(tb, quotas[0], quotas[1])),
		Pods:            corelisters.NewPodLister(indexer(tb)),
		PriorityClasses: schedulinglisters.NewPriorityClassLister(indexer(tb, pc)),
		StorageClasses:  storagelisters.NewStorageClassLister(indexer(tb, sc)),
	}
	return NewChain(d), ns
}
