package testserver

import (
	"net"

	"github.com/hanok-dev/hanok/internal/apiserver/storage"
	"github.com/hanok-dev/hanok/internal/controlplane"
)

// Option changes how a Server is set up.
type Option func(*options)

type options struct {
	serviceCIDR  *net.IPNet
	tuneStorage  func(*storage.Config)
	controlplane func(*controlplane.Config)
}

func defaultOptions() options {
	_, cidr, _ := net.ParseCIDR("10.43.0.0/16") // hanok's --service-cidr default
	return options{serviceCIDR: cidr}
}

// WithServiceCIDR sets --service-cidr (default 10.43.0.0/16), e.g. a small
// range to test running out of ClusterIPs.
func WithServiceCIDR(cidr string) Option {
	return func(o *options) {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			panic("testserver.WithServiceCIDR: " + err.Error())
		}
		o.serviceCIDR = n
	}
}

// WithStorage adjusts every resource's storage config before its watch
// cache starts: a short BookmarkInterval to see bookmarks without waiting a
// minute, a small MinEvents/MaxEvents to push old resourceVersions out of
// the watch cache's history.
func WithStorage(tune func(*storage.Config)) Option {
	return func(o *options) { o.tuneStorage = tune }
}

// WithControlplane adjusts the API server's config before it is built:
// controlplane.Config's AlwaysAllow and DisableAdmission give benchmarks
// their baseline, for instance.
func WithControlplane(adjust func(*controlplane.Config)) Option {
	return func(o *options) { o.controlplane = adjust }
}
