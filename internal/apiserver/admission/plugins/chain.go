package plugins

import (
	"fmt"

	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	schedulingclient "k8s.io/client-go/kubernetes/typed/scheduling/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	schedulinglisters "k8s.io/client-go/listers/scheduling/v1"
	storagelisters "k8s.io/client-go/listers/storage/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

// Deps is what the built-in plugins read. Every lister comes from one
// informers.SharedInformerFactory on the loopback client (the path is
// given for each); DepsFrom fills them all. A nil lister makes the plugin
// that reads it fall back to Client (or, where there is no sensible
// fallback, skip what it cannot check), so tests may fill only what they
// exercise.
type Deps struct {
	// Namespaces: factory.Core().V1().Namespaces().Lister().
	// NamespaceLifecycle, PodSecurity.
	Namespaces corelisters.NamespaceLister
	// ServiceAccounts: factory.Core().V1().ServiceAccounts().Lister().
	// ServiceAccount.
	ServiceAccounts corelisters.ServiceAccountLister
	// Pods: factory.Core().V1().Pods().Lister(). NodeRestriction
	// (evictions, tokens), PodSecurity (existing pods when a namespace's
	// level is raised), ResourceQuota (first usage of pods and compute).
	Pods corelisters.PodLister
	// Nodes: factory.Core().V1().Nodes().Lister(). NodeRestriction (the
	// UID mirror pods' owner references must carry).
	Nodes corelisters.NodeLister
	// LimitRanges: factory.Core().V1().LimitRanges().Lister(). LimitRanger.
	LimitRanges corelisters.LimitRangeLister
	// ResourceQuotas: factory.Core().V1().ResourceQuotas().Lister().
	// ResourceQuota.
	ResourceQuotas corelisters.ResourceQuotaLister
	// Services, ConfigMaps, Secrets, PersistentVolumeClaims and
	// ReplicationControllers: factory.Core().V1().<Kind>().Lister().
	// ResourceQuota, to compute a new quota's first usage; without one,
	// Counter counts (DepsFrom fills only Services and claims, which
	// carry node ports and storage, not just counts).
	Services               corelisters.ServiceLister
	ConfigMaps             corelisters.ConfigMapLister
	Secrets                corelisters.SecretLister
	PersistentVolumeClaims corelisters.PersistentVolumeClaimLister
	ReplicationControllers corelisters.ReplicationControllerLister
	// PriorityClasses: factory.Scheduling().V1().PriorityClasses().Lister().
	// Priority.
	PriorityClasses schedulinglisters.PriorityClassLister
	// StorageClasses: factory.Storage().V1().StorageClasses().Lister().
	// DefaultStorageClass.
	StorageClasses storagelisters.StorageClassLister

	// Client is the loopback clientset: live reads when a lister may be
	// behind (an object created a moment ago), and ResourceQuota's
	// charges (UpdateStatus of resourcequotas/status, so its identity
	// needs get, list and update on resourcequotas and
	// resourcequotas/status, and get on namespaces, serviceaccounts,
	// pods, nodes, priorityclasses, list on limitranges). nil disables
	// live reads and leaves quotas checked but never charged (tests).
	Client kubernetes.Interface
	// Counter counts objects of resources without a lister above, for a
	// quota on count/<resource>.<group> whose usage is not yet known.
	// DepsFrom sets one that lists through Client's discovery.
	Counter ObjectCounter
	// Synced are the listers' informers' HasSynced; plugins wait (up to
	// 10s) for all of them before using a lister. DepsFrom fills it.
	Synced []func() bool

	// Disable names plugins to leave out, as upstream's
	// --disable-admission-plugins (see Plugins for the names). Unknown
	// names are ignored.
	Disable []string

	// MutatingWebhooks and ValidatingWebhooks, when set, are placed where
	// upstream runs them: after the built-in mutating plugins, and after
	// the built-in validating plugins but before ResourceQuota (which
	// must be last, since it charges the quota).
	MutatingWebhooks   admission.Mutator
	ValidatingWebhooks admission.Validator
}

// Plugins are the built-in plugins' names, upstream's, in chain order.
var Plugins = []string{
	"NamespaceLifecycle", "LimitRanger", "ServiceAccount", "NodeRestriction", "PodSecurity",
	"Priority", "DefaultTolerationSeconds", "DefaultStorageClass", "ResourceQuota",
}

// NewChain assembles the built-in plugins in upstream's order:
//
//	mutating:   NamespaceLifecycle, LimitRanger, ServiceAccount, Priority,
//	            DefaultTolerationSeconds, DefaultStorageClass, [MutatingWebhooks]
//	validating: NamespaceLifecycle, LimitRanger, ServiceAccount, NodeRestriction,
//	            PodSecurity, Priority, [ValidatingWebhooks], ResourceQuota
//
// NamespaceLifecycle only refuses; it runs in both phases so a write into
// a missing namespace fails first, and deletes (which only run the
// validating phase) of the system namespaces are refused.
func NewChain(d Deps) *admission.Chain {
	var ready ReadyFunc
	if len(d.Synced) > 0 {
		ready = WaitForSynced(d.Synced...)
	}
	var core corev1client.CoreV1Interface
	var scheduling schedulingclient.SchedulingV1Interface
	if d.Client != nil {
		core, scheduling = d.Client.CoreV1(), d.Client.SchedulingV1()
	}
	lifecycle := NewNamespaceLifecycle(d.Namespaces, namespacesGetter(core))
	limits := &LimitRanger{LimitRanges: d.LimitRanges, Client: limitRangesGetter(core), Ready: ready}
	accounts := &ServiceAccount{Accounts: d.ServiceAccounts, Client: serviceAccountsGetter(core), Ready: ready}
	priority := &Priority{Classes: d.PriorityClasses, Ready: ready}
	if scheduling != nil {
		priority.Client = scheduling
	}
	nodes := &NodeRestriction{Pods: d.Pods, Nodes: d.Nodes, Ready: ready}
	if core != nil {
		nodes.PodsClient, nodes.NodesClient = core, core
	}
	security, err := NewPodSecurity(d.Namespaces, namespacesGetter(core), d.Pods, nil)
	if err != nil {
		// Only a bug in the library's default configuration gets here.
		panic(fmt.Sprintf("admission: PodSecurity: %v", err))
	}
	quota := &ResourceQuota{
		Quotas: d.ResourceQuotas, Client: quotasGetter(core),
		Pods: d.Pods, Services: d.Services, ConfigMaps: d.ConfigMaps, Secrets: d.Secrets,
		PersistentVolumeClaims: d.PersistentVolumeClaims, ReplicationControllers: d.ReplicationControllers,
		Counter: d.Counter, Ready: ready,
	}

	disabled := map[string]bool{}
	for _, name := range d.Disable {
		disabled[name] = true
	}
	c := &admission.Chain{}
	mutate := func(name string, m admission.Mutator) {
		if !disabled[name] {
			c.Mutators = append(c.Mutators, m)
		}
	}
	validate := func(name string, v admission.Validator) {
		if !disabled[name] {
			c.Validators = append(c.Validators, v)
		}
	}
	mutate("NamespaceLifecycle", lifecycle)
	mutate("LimitRanger", limits)
	mutate("ServiceAccount", accounts)
	mutate("Priority", priority)
	mutate("DefaultTolerationSeconds", &DefaultTolerationSeconds{})
	mutate("DefaultStorageClass", &DefaultStorageClass{Classes: d.StorageClasses, Ready: ready})
	if d.MutatingWebhooks != nil {
		c.Mutators = append(c.Mutators, d.MutatingWebhooks)
	}
	validate("NamespaceLifecycle", lifecycle)
	validate("LimitRanger", limits)
	validate("ServiceAccount", accounts)
	validate("NodeRestriction", nodes)
	validate("PodSecurity", security)
	validate("Priority", priority)
	if d.ValidatingWebhooks != nil {
		c.Validators = append(c.Validators, d.ValidatingWebhooks)
	}
	validate("ResourceQuota", quota)
	return c
}

// The getters below turn a nil CoreV1Interface into nil interfaces of
// the small types the plugins take (a typed nil would look non-nil).

func namespacesGetter(c corev1client.CoreV1Interface) corev1client.NamespacesGetter {
	if c == nil {
		return nil
	}
	return c
}

func limitRangesGetter(c corev1client.CoreV1Interface) corev1client.LimitRangesGetter {
	if c == nil {
		return nil
	}
	return c
}

func serviceAccountsGetter(c corev1client.CoreV1Interface) corev1client.ServiceAccountsGetter {
	if c == nil {
		return nil
	}
	return c
}

func quotasGetter(c corev1client.CoreV1Interface) corev1client.ResourceQuotasGetter {
	if c == nil {
		return nil
	}
	return c
}

// DepsFrom fills Deps from an informer factory and a clientset, both on
// the loopback connection. It registers the informers it needs with the
// factory, so call it before factory.Start; until the informers sync,
// writes that need them wait up to 10s, then are refused.
func DepsFrom(factory informers.SharedInformerFactory, client kubernetes.Interface) Deps {
	core := factory.Core().V1()
	d := Deps{Client: client}
	if client != nil {
		d.Counter = NewDiscoveryCounter(client)
	}
	// Each lister, and its informer's HasSynced for Synced.
	add := func(inf interface{ HasSynced() bool }) { d.Synced = append(d.Synced, inf.HasSynced) }
	add(core.Namespaces().Informer())
	d.Namespaces = core.Namespaces().Lister()
	add(core.ServiceAccounts().Informer())
	d.ServiceAccounts = core.ServiceAccounts().Lister()
	add(core.Pods().Informer())
	d.Pods = core.Pods().Lister()
	add(core.Nodes().Informer())
	d.Nodes = core.Nodes().Lister()
	add(core.LimitRanges().Informer())
	d.LimitRanges = core.LimitRanges().Lister()
	add(core.ResourceQuotas().Informer())
	d.ResourceQuotas = core.ResourceQuotas().Lister()
	add(core.Services().Informer())
	d.Services = core.Services().Lister()
	// ConfigMaps, Secrets and ReplicationControllers are counted through
	// Counter instead: caching every secret in the API server to count
	// them once per quota is not worth the memory.
	add(factory.Scheduling().V1().PriorityClasses().Informer())
	d.PriorityClasses = factory.Scheduling().V1().PriorityClasses().Lister()
	add(factory.Storage().V1().StorageClasses().Informer())
	d.StorageClasses = factory.Storage().V1().StorageClasses().Lister()
	return d
}
