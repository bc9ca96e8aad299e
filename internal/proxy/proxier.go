package proxy

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/sirupsen/logrus"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/client-go/informers"
	corelisters "k8s.io/client-go/listers/core/v1"
	discoverylisters "k8s.io/client-go/listers/discovery/v1"
	"k8s.io/client-go/tools/cache"
)

// Run runs the proxy until ctx ends: it sets the sysctls, waits for its
// informers, writes every rule, then keeps them in step with the API.
// Rules stay in place when it returns (connections keep working across an
// agent restart); Cleanup removes them.
func Run(ctx context.Context, cfg Config) error {
	return run(ctx, cfg, newIptablesHost())
}

// proxier is the sync loop's state.
type proxier struct {
	cfg      Config
	host     host
	families []v1.IPFamily
	log      *logrus.Entry

	services corelisters.ServiceLister
	slices   discoverylisters.EndpointSliceLister
	nodes    corelisters.NodeLister

	dirty chan struct{}
	// last is what was last written, per family; nil: unknown (start, or
	// a failed restore), so the next sync is a full one.
	last     map[v1.IPFamily]*Ruleset
	builders map[v1.IPFamily]*Builder // made on first use
}

func run(ctx context.Context, cfg Config, h host) error {
	if err := cfg.defaults(); err != nil {
		return err
	}
	p := &proxier{
		cfg:      cfg,
		host:     h,
		families: families(cfg.NodeIPs, cfg.ClusterCIDR),
		log:      logrus.WithFields(logrus.Fields{"component": "proxy", "node": cfg.NodeName}),
		dirty:    make(chan struct{}, 1),
		last:     map[v1.IPFamily]*Ruleset{},
	}
	h.Prepare(p.families)

	// Services and slices another proxy owns are not even listed, as
	// upstream; nor are the slices of headless services.
	notOtherProxy := labelSelector(labelServiceProxyName)
	svcFactory := informers.NewSharedInformerFactoryWithOptions(cfg.Client, 0,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = notOtherProxy }))
	sliceFactory := informers.NewSharedInformerFactoryWithOptions(cfg.Client, 0,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.LabelSelector = labelSelector(labelServiceProxyName, labelHeadless)
		}))
	nodeFactory := informers.NewSharedInformerFactoryWithOptions(cfg.Client, 0,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.FieldSelector = fields.OneTermEqualSelector("metadata.name", cfg.NodeName).String()
		}))
	svcInformer := svcFactory.Core().V1().Services()
	sliceInformer := sliceFactory.Discovery().V1().EndpointSlices()
	nodeInformer := nodeFactory.Core().V1().Nodes()
	p.services, p.slices, p.nodes = svcInformer.Lister(), sliceInformer.Lister(), nodeInformer.Lister()
	handler := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { p.markDirty() },
		UpdateFunc: func(any, any) { p.markDirty() },
		DeleteFunc: func(any) { p.markDirty() },
	}
	for _, inf := range []cache.SharedIndexInformer{svcInformer.Informer(), sliceInformer.Informer(), nodeInformer.Informer()} {
		if _, err := inf.AddEventHandler(handler); err != nil {
			return fmt.Errorf("proxy: %w", err)
		}
	}
	for _, f := range []informers.SharedInformerFactory{svcFactory, sliceFactory, nodeFactory} {
		f.Start(ctx.Done())
		defer f.Shutdown()
	}
	if !cache.WaitForNamedCacheSync("proxy", ctx.Done(),
		svcInformer.Informer().HasSynced, sliceInformer.Informer().HasSynced, nodeInformer.Informer().HasSynced) {
		return ctx.Err()
	}
	p.log.Infof("service proxy started (%v)", p.families)
	p.loop(ctx)
	return nil
}

// labelSelector selects objects that have none of keys.
func labelSelector(keys ...string) string {
	sel := labels.NewSelector()
	for _, k := range keys {
		r, err := labels.NewRequirement(k, selection.DoesNotExist, nil)
		if err != nil {
			panic(err) // the keys are constants
		}
		sel = sel.Add(*r)
	}
	return sel.String()
}

// families are the IP families in use: those of the node's addresses and
// the cluster CIDR, IPv4 when there are none.
func families(nodeIPs []net.IP, clusterCIDR *net.IPNet) []v1.IPFamily {
	var v4, v6 bool
	ips := append([]net.IP(nil), nodeIPs...)
	if clusterCIDR != nil {
		ips = append(ips, clusterCIDR.IP)
	}
	for _, ip := range ips {
		if ip.To4() != nil {
			v4 = true
		} else if ip != nil {
			v6 = true
		}
	}
	var out []v1.IPFamily
	if v4 || !v6 {
		out = append(out, v1.IPv4Protocol)
	}
	if v6 {
		out = append(out, v1.IPv6Protocol)
	}
	return out
}

func (p *proxier) markDirty() {
	select {
	case p.dirty <- struct{}{}:
	default:
	}
}

// loop syncs on every change (at most once per MinSyncInterval), rewrites
// everything every SyncPeriod, and retries a failed sync with back-off.
func (p *proxier) loop(ctx context.Context) {
	full := time.NewTicker(p.cfg.SyncPeriod)
	defer full.Stop()
	var retry <-chan time.Time
	backoff := time.Second
	forceFull := true
	p.markDirty()
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.dirty:
		case <-full.C:
			forceFull = true
		case <-retry:
			forceFull = true
		}
		started := time.Now()
		if err := p.sync(forceFull); err != nil {
			p.log.WithError(err).Warnf("sync failed, retrying in %s", backoff)
			retry = time.After(backoff)
			backoff = min(2*backoff, p.cfg.SyncPeriod)
		} else {
			retry, backoff, forceFull = nil, time.Second, false
		}
		// Changes that come in meanwhile wait in p.dirty.
		select {
		case <-ctx.Done():
			return
		case <-time.After(p.cfg.MinSyncInterval - time.Since(started)):
		}
	}
}

// sync writes the rules of every family: everything when full, else only
// the chains that changed since the last write.
func (p *proxier) sync(full bool) error {
	started := time.Now()
	services, err := p.services.List(labels.Everything())
	if err != nil {
		return err
	}
	slices, err := p.slices.List(labels.Everything())
	if err != nil {
		return err
	}
	node, _ := p.nodes.Get(p.cfg.NodeName) // nil until the kubelet registers it
	for _, family := range p.families {
		in := Input{
			Family:      family,
			Services:    services,
			Slices:      slices,
			NodeName:    p.cfg.NodeName,
			NodeIPs:     p.nodeIPs(node),
			ClusterCIDR: p.clusterCIDR(family, node),
			RandomFully: p.host.RandomFully(family),
		}
		if err := p.syncFamily(in, full); err != nil {
			return err
		}
	}
	p.log.WithField("full", full).Debugf("synced %d services in %s", len(services), time.Since(started))
	return nil
}

func (p *proxier) syncFamily(in Input, full bool) error {
	if p.builders == nil {
		p.builders = map[v1.IPFamily]*Builder{}
	}
	b := p.builders[in.Family]
	if b == nil {
		b = NewBuilder()
		p.builders[in.Family] = b
	}
	next := b.Build(in)
	prev := p.last[in.Family]
	var stale map[string][]string
	if full || prev == nil {
		// Start, resync or recovery: the jumps may be gone, and chains
		// from before (an earlier run) must go if no one wants them.
		if err := p.host.EnsureJumps(in.Family); err != nil {
			return err
		}
		chains, err := p.host.ListChains(in.Family, tableNAT)
		if err != nil {
			return fmt.Errorf("%s: listing nat chains: %w", in.Family, err)
		}
		for _, c := range chains {
			if isServiceChain(c) && !next.NAT.Has(c) {
				if stale == nil {
					stale = map[string][]string{}
				}
				stale[tableNAT] = append(stale[tableNAT], c)
			}
		}
		prev = nil
	}
	data := next.Render(prev, stale)
	if len(data) == 0 {
		return nil
	}
	if err := p.host.Restore(in.Family, data); err != nil {
		delete(p.last, in.Family)
		return err
	}
	// After the rules: no new entry can be made to what is cleared.
	p.host.FlushConntrack(staleConntrack(p.last[in.Family], next))
	p.last[in.Family] = next
	return nil
}

// nodeIPs is Config.NodeIPs, or else the Node's addresses.
func (p *proxier) nodeIPs(node *v1.Node) []net.IP {
	if len(p.cfg.NodeIPs) > 0 || node == nil {
		return p.cfg.NodeIPs
	}
	var out []net.IP
	for _, a := range node.Status.Addresses {
		if a.Type == v1.NodeInternalIP || a.Type == v1.NodeExternalIP {
			if ip := net.ParseIP(a.Address); ip != nil {
				out = append(out, ip)
			}
		}
	}
	return out
}

// clusterCIDR is Config.ClusterCIDR when it is of family, else the node's
// pod CIDR of family (traffic from this node's pods counts as cluster
// traffic, as upstream's node-CIDR local detection), else nil.
func (p *proxier) clusterCIDR(family v1.IPFamily, node *v1.Node) *net.IPNet {
	if c := p.cfg.ClusterCIDR; c != nil && isFamily(family, c.IP) {
		return c
	}
	if node == nil {
		return nil
	}
	cidrs := node.Spec.PodCIDRs
	if len(cidrs) == 0 && node.Spec.PodCIDR != "" {
		cidrs = []string{node.Spec.PodCIDR}
	}
	for _, s := range cidrs {
		if _, n, err := net.ParseCIDR(s); err == nil && isFamily(family, n.IP) {
			return n
		}
	}
	return nil
}
