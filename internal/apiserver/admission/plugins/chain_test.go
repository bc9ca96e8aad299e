package plugins

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	corelisters "k8s.io/client-go/listers/core/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

type namedMutator struct{ name string }

func (namedMutator) Admit(context.Context, *admission.Attributes) error { return nil }

type namedValidator struct{ name string }

func (namedValidator) Validate(context.Context, *admission.Attributes) error { return nil }

// TestNewChainOrder pins upstream's order, webhooks included.
func TestNewChainOrder(t *testing.T) {
	c := NewChain(Deps{MutatingWebhooks: namedMutator{"webhooks"}, ValidatingWebhooks: namedValidator{"webhooks"}})
	name := func(x any) string {
		switch p := x.(type) {
		case namedMutator:
			return p.name
		case namedValidator:
			return p.name
		}
		s := fmt.Sprintf("%T", x)
		return s[strings.LastIndex(s, ".")+1:]
	}
	var mutators, validators []string
	for _, m := range c.Mutators {
		mutators = append(mutators, name(m))
	}
	for _, v := range c.Validators {
		validators = append(validators, name(v))
	}
	if got, want := strings.Join(mutators, " "), "NamespaceLifecycle LimitRanger ServiceAccount Priority DefaultTolerationSeconds DefaultStorageClass webhooks"; got != want {
		t.Errorf("mutators:\n got  %s\n want %s", got, want)
	}
	if got, want := strings.Join(validators, " "), "NamespaceLifecycle LimitRanger ServiceAccount NodeRestriction PodSecurity Priority webhooks ResourceQuota"; got != want {
		t.Errorf("validators:\n got  %s\n want %s", got, want)
	}
}

// TestNewChainDisable leaves plugins out by name.
func TestNewChainDisable(t *testing.T) {
	c := NewChain(Deps{Disable: []string{"ServiceAccount", "ResourceQuota", "PodSecurity", "NoSuchPlugin"}})
	for _, m := range c.Mutators {
		if _, ok := m.(*ServiceAccount); ok {
			t.Error("ServiceAccount still mutates")
		}
	}
	for _, v := range c.Validators {
		switch v.(type) {
		case *ServiceAccount, *ResourceQuota, *PodSecurity:
			t.Errorf("%T still validates", v)
		}
	}
	if len(c.Mutators) != 5 || len(c.Validators) != 4 {
		t.Errorf("%d mutators, %d validators", len(c.Mutators), len(c.Validators))
	}
}

// TestChainFromInformers wires the chain as the server does, from an
// informer factory and a clientset (fakes here), and admits a pod through
// every plugin.
func TestChainFromInformers(t *testing.T) {
	client := fake.NewClientset(
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "ns",
			Labels: map[string]string{"pod-security.kubernetes.io/enforce": "baseline"}}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "default"}},
		&corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "limits"}, Spec: corev1.LimitRangeSpec{
			Limits: []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer, Default: list("cpu", "200m"), DefaultRequest: list("cpu", "100m")}}}},
		quota("q", list("pods", "1", "requests.cpu", "1"), nil),
	)
	factory := informers.NewSharedInformerFactory(client, 0)
	deps := DepsFrom(factory, client)
	chain := NewChain(deps)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	factory.Start(ctx.Done())
	defer factory.Shutdown()
	defer cancel()

	admit := func(p *corev1.Pod) (*admission.Attributes, error) {
		a := createPod(p)
		if err := chain.Admit(ctx, a); err != nil {
			return a, err
		}
		return a, chain.Validate(ctx, a)
	}
	a, err := admit(pod("ns", "web"))
	if err != nil {
		t.Fatal(err)
	}
	p := a.Object.(*corev1.Pod)
	if p.Spec.ServiceAccountName != "default" || len(p.Spec.Volumes) != 1 || len(p.Spec.Tolerations) != 2 ||
		p.Spec.Priority == nil || p.Spec.Containers[0].Resources.Requests.Cpu().String() != "100m" {
		t.Errorf("pod not admitted as expected: %+v", p.Spec)
	}
	q, err := client.CoreV1().ResourceQuotas("ns").Get(ctx, "q", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := printUsed(q.Status.Used); got != "pods=1,requests.cpu=100m" {
		t.Errorf("quota used %s", got)
	}
	// The fake clientset gives no resourceVersions, so nothing tells the
	// plugin its own charge is newer than the informer's copy: let the
	// informer catch up (a real API server's versions make this moot, see
	// TestQuotaAgainstAPIServer).
	for {
		q, err := deps.ResourceQuotas.ResourceQuotas("ns").Get("q")
		if err == nil && len(q.Status.Used) > 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}

	// Refusals from the plugins, in chain order.
	for _, tt := range []struct {
		pod  *corev1.Pod
		want string
	}{
		{pod("missing", "p"), `namespaces "missing" not found`},
		{func() *corev1.Pod {
			p := pod("ns", "priv")
			p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: new(bool)}
			*p.Spec.Containers[0].SecurityContext.Privileged = true
			return p
		}(), `pods "priv" is forbidden: violates PodSecurity "baseline:latest": privileged (container "c0" must not set securityContext.privileged=true)`},
		{pod("ns", "second"), `pods "second" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1`},
	} {
		_, err := admit(tt.pod)
		expect(t, err, tt.want)
	}
}

// TestChainNotReady: until the informers sync, writes that need them are
// refused with upstream's message.
func TestChainNotReady(t *testing.T) {
	old := readyTimeout
	defer func() { readyTimeout = old }()
	readyTimeout = 50 * time.Millisecond
	namespaces := corelisters.NewNamespaceLister(indexer(t, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "ns"}}))
	chain := NewChain(Deps{Namespaces: namespaces, Synced: []func() bool{func() bool { return false }}})
	err := chain.Admit(context.Background(), createPod(pod("ns", "p")))
	expect(t, err, `pods "p" is forbidden: not yet ready to handle request`)
}
