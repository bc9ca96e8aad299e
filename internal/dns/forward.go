package dns

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	mdns "github.com/miekg/dns"
	"github.com/sirupsen/logrus"
)

// forwarder asks the node's upstream resolvers, in resolv.conf's order,
// the questions that are not the cluster's.
type forwarder struct {
	path    string
	self    []string
	timeout time.Duration
	udp     *mdns.Client
	tcp     *mdns.Client
	servers atomic.Pointer[[]string]
	mtime   time.Time
	log     *logrus.Entry
}

func newForwarder(path string, self []string, timeout time.Duration, log *logrus.Entry) *forwarder {
	f := &forwarder{
		path:    path,
		self:    self,
		timeout: timeout,
		udp:     &mdns.Client{Net: "udp", Timeout: timeout, UDPSize: mdns.DefaultMsgSize},
		tcp:     &mdns.Client{Net: "tcp", Timeout: timeout},
		log:     log,
	}
	f.reload()
	return f
}

// reload reads resolv.conf again if it changed since the last read.
func (f *forwarder) reload() {
	st, err := os.Stat(f.path)
	if err == nil && st.ModTime().Equal(f.mtime) && f.servers.Load() != nil {
		return
	}
	servers, err := upstreams(f.path, f.self)
	if err != nil {
		f.log.WithError(err).Warn("no upstream resolvers; names outside the cluster fail")
	} else if len(servers) == 0 {
		f.log.Warnf("%s names no upstream resolver other than this server; names outside the cluster fail", f.path)
	} else {
		f.log.Debugf("upstream resolvers %v", servers)
	}
	if st != nil {
		f.mtime = st.ModTime()
	}
	f.servers.Store(&servers)
}

// watch re-reads resolv.conf every period until ctx ends.
func (f *forwarder) watch(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f.reload()
		}
	}
}

var errNoUpstream = errors.New("no upstream resolver")

// exchange asks each upstream in turn until one answers: over UDP, again
// over TCP when the answer was truncated. The reply carries req's ID.
func (f *forwarder) exchange(ctx context.Context, req *mdns.Msg) (*mdns.Msg, error) {
	servers := *f.servers.Load()
	if len(servers) == 0 {
		return nil, errNoUpstream
	}
	out := req.Copy()
	var last error
	for _, addr := range servers {
		out.Id = mdns.Id()
		r, _, err := f.udp.ExchangeContext(ctx, out, addr)
		if err == nil && r.Truncated {
			r, _, err = f.tcp.ExchangeContext(ctx, out, addr)
		}
		if err != nil {
			last = fmt.Errorf("%s: %w", addr, err)
			if ctx.Err() != nil {
				break
			}
			continue
		}
		r.Id = req.Id
		return r, nil
	}
	return nil, last
}
