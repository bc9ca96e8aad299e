package dns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	mdns "github.com/miekg/dns"
	"github.com/sirupsen/logrus"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
)

// resolvConfPeriod is how often resolv.conf is checked for changes.
const resolvConfPeriod = 5 * time.Second

// forwardBudget bounds the whole of one forwarded query (every upstream).
const forwardBudget = 5 * time.Second

// Run serves cluster DNS on cfg.ListenAddrs until ctx ends. It starts
// answering once the informers have synced, so that a query never sees a
// half-listed cluster; it fails at once if an address cannot be bound.
func Run(ctx context.Context, cfg Config) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	log := logrus.WithField("component", "dns")
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	h := &handler{log: log}
	if !cfg.NoForward {
		self := slices.Clone(cfg.ListenAddrs)
		for _, ip := range cfg.ClusterDNS {
			self = append(self, net.JoinHostPort(ip.String(), "53"))
		}
		h.forward = newForwarder(cfg.ResolvConf, self, cfg.UpstreamTimeout, log)
		go h.forward.watch(ctx, resolvConfPeriod)
	}

	factory := informers.NewSharedInformerFactoryWithOptions(cfg.Client, 0,
		informers.WithTransform(stripManagedFields))
	svcInformer := factory.Core().V1().Services()
	sliceInformer := factory.Discovery().V1().EndpointSlices()
	changed := make(chan struct{}, 1)
	poke := func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	}
	handlers := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { poke() },
		UpdateFunc: func(any, any) { poke() },
		DeleteFunc: func(any) { poke() },
	}
	for _, inf := range []cache.SharedIndexInformer{svcInformer.Informer(), sliceInformer.Informer()} {
		if _, err := inf.AddEventHandler(handlers); err != nil {
			return fmt.Errorf("dns: %w", err)
		}
	}
	factory.Start(ctx.Done())
	// Shutdown waits for the informers, which stop only with ctx.
	defer func() { cancel(); factory.Shutdown() }()
	for typ, ok := range factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("dns: informer for %v did not sync", typ)
		}
	}

	ix := newIndexer(cfg.ClusterDomain, uint32(cfg.TTL/time.Second))
	rebuild := func() error {
		svcs, err := svcInformer.Lister().List(labels.Everything())
		if err != nil {
			return err
		}
		endpointSlices, err := sliceInformer.Lister().List(labels.Everything())
		if err != nil {
			return err
		}
		h.snapshot.Store(ix.build(uint32(time.Now().Unix()), svcs, endpointSlices))
		return nil
	}
	if err := rebuild(); err != nil {
		return fmt.Errorf("dns: %w", err)
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-changed:
				if err := rebuild(); err != nil {
					log.WithError(err).Warn("rebuilding the DNS index")
				}
			}
		}
	}()

	servers, err := listen(cfg.ListenAddrs, h)
	if err != nil {
		return err
	}
	log.Infof("serving cluster DNS for %s on %v", cfg.ClusterDomain, cfg.ListenAddrs)
	errs := make(chan error, len(servers))
	var wg sync.WaitGroup
	for _, s := range servers {
		wg.Go(func() {
			if err := s.ActivateAndServe(); err != nil {
				errs <- fmt.Errorf("dns: serving %s/%s: %w", s.Net, addrOf(s), err)
			}
		})
	}
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errs:
	}
	for _, s := range servers {
		shutdownCtx, done := context.WithTimeout(context.Background(), time.Second)
		_ = s.ShutdownContext(shutdownCtx)
		done()
	}
	wg.Wait()
	return runErr
}

// listen binds UDP and TCP on every address before anything is served,
// so that a taken port is Run's error.
func listen(addrs []string, h mdns.Handler) ([]*mdns.Server, error) {
	var servers []*mdns.Server
	closeAll := func() {
		for _, s := range servers {
			if s.PacketConn != nil {
				s.PacketConn.Close()
			}
			if s.Listener != nil {
				s.Listener.Close()
			}
		}
	}
	for _, a := range addrs {
		pc, err := net.ListenPacket("udp", a)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("dns: %w", err)
		}
		servers = append(servers, &mdns.Server{PacketConn: pc, Net: "udp", Handler: h})
		l, err := net.Listen("tcp", a)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("dns: %w", err)
		}
		servers = append(servers, &mdns.Server{Listener: l, Net: "tcp", Handler: h,
			// Keep idle TCP clients from holding a connection for ever.
			ReadTimeout: 10 * time.Second, IdleTimeout: func() time.Duration { return 10 * time.Second }})
	}
	return servers, nil
}

func addrOf(s *mdns.Server) string {
	if s.PacketConn != nil {
		return s.PacketConn.LocalAddr().String()
	}
	return s.Listener.Addr().String()
}

// handler answers one query: from the snapshot, or by forwarding.
type handler struct {
	snapshot atomic.Pointer[Snapshot]
	forward  *forwarder // nil: forwarding off
	log      *logrus.Entry
}

func (h *handler) ServeDNS(w mdns.ResponseWriter, req *mdns.Msg) {
	_, udp := w.RemoteAddr().(*net.UDPAddr)
	reply := h.resolve(req)
	Fit(reply, req, udp)
	if err := w.WriteMsg(reply); err != nil {
		h.log.WithError(err).Debug("writing a reply")
	}
}

// resolve is the reply to req before it is fitted to the transport.
func (h *handler) resolve(req *mdns.Msg) *mdns.Msg {
	r := Answer(h.snapshot.Load(), req)
	switch r.Action {
	case Reply:
		return r.Msg
	case Chase:
		if h.forward != nil {
			h.chase(r.Msg, req, r.Target)
		}
		return r.Msg
	}
	if h.forward == nil {
		m := new(mdns.Msg)
		m.SetRcode(req, mdns.RcodeRefused)
		return m
	}
	ctx, cancel := context.WithTimeout(context.Background(), forwardBudget)
	defer cancel()
	reply, err := h.forward.exchange(ctx, req)
	if err != nil {
		if !errors.Is(err, errNoUpstream) {
			h.log.WithError(err).Debugf("forwarding %s", req.Question[0].Name)
		}
		m := new(mdns.Msg)
		m.SetRcode(req, mdns.RcodeServerFailure)
		m.RecursionAvailable = true
		return m
	}
	return reply
}

// chase appends to m the upstream's answer for target (an ExternalName
// service's name), as CoreDNS does; on failure m keeps only the CNAME and
// the client follows it itself.
func (h *handler) chase(m, req *mdns.Msg, target string) {
	q := new(mdns.Msg)
	q.SetQuestion(target, req.Question[0].Qtype)
	q.RecursionDesired = true
	ctx, cancel := context.WithTimeout(context.Background(), forwardBudget)
	defer cancel()
	r, err := h.forward.exchange(ctx, q)
	if err != nil || r.Rcode != mdns.RcodeSuccess {
		return
	}
	m.Answer = append(m.Answer, r.Answer...)
}

// stripManagedFields drops what the index never reads, to keep the
// informers' memory small on every node.
func stripManagedFields(obj any) (any, error) {
	if a, err := meta.Accessor(obj); err == nil {
		a.SetManagedFields(nil)
	}
	return obj, nil
}
