package manager

import (
	"github.com/hanok-dev/hanok/internal/controller"
	"github.com/hanok-dev/hanok/internal/controller/namespace"
	"github.com/hanok-dev/hanok/internal/controller/rootcacert"
	"github.com/hanok-dev/hanok/internal/controller/serviceaccount"
)

// Entry is one controller the manager can run.
type Entry struct {
	// Name is upstream's controller name, as --controllers takes it.
	Name string
	// Account is the ServiceAccount in kube-system it runs as, bound by the
	// bootstrap policy to system:controller:<Account>.
	Account string
	// EventSource is the component its events name; empty: Account.
	EventSource string
	// Workers is how many keys it syncs at once (upstream's --concurrent-*).
	Workers int
	// Off leaves it out of "*" (upstream's disabled-by-default ones).
	Off bool
	// New builds it; a nil Controller with a nil error means it is
	// switched off by cfg (node IPAM without a cluster CIDR).
	New func(cc controller.Context, cfg *Config) (controller.Controller, error)
}

// Controllers is every controller the manager knows, in start order.
var Controllers = []Entry{
	{Name: "serviceaccount", Account: "service-account-controller", Workers: 1, New: func(cc controller.Context, _ *Config) (controller.Controller, error) {
		return serviceaccount.New(cc), nil
	}},
	{Name: "root-ca-cert-publisher", Account: "root-ca-cert-publisher", Workers: 1, New: func(cc controller.Context, cfg *Config) (controller.Controller, error) {
		return rootcacert.New(cc, cfg.RootCA)
	}},
	{Name: "namespace", Account: "namespace-controller", Workers: 10, New: func(cc controller.Context, _ *Config) (controller.Controller, error) {
		return namespace.New(cc)
	}},
}
