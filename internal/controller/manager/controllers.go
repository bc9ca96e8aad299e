package manager

import (
	"github.com/hanok-dev/hanok/internal/controller"
	"github.com/hanok-dev/hanok/internal/controller/clusterdns"
	"github.com/hanok-dev/hanok/internal/controller/clusterroleaggregation"
	"github.com/hanok-dev/hanok/internal/controller/cronjob"
	"github.com/hanok-dev/hanok/internal/controller/daemonset"
	"github.com/hanok-dev/hanok/internal/controller/deployment"
	"github.com/hanok-dev/hanok/internal/controller/disruption"
	"github.com/hanok-dev/hanok/internal/controller/endpoints"
	"github.com/hanok-dev/hanok/internal/controller/endpointslice"
	"github.com/hanok-dev/hanok/internal/controller/garbagecollector"
	"github.com/hanok-dev/hanok/internal/controller/job"
	"github.com/hanok-dev/hanok/internal/controller/namespace"
	"github.com/hanok-dev/hanok/internal/controller/nodeipam"
	"github.com/hanok-dev/hanok/internal/controller/nodelifecycle"
	"github.com/hanok-dev/hanok/internal/controller/podgc"
	"github.com/hanok-dev/hanok/internal/controller/replicaset"
	"github.com/hanok-dev/hanok/internal/controller/resourcequota"
	"github.com/hanok-dev/hanok/internal/controller/rootcacert"
	"github.com/hanok-dev/hanok/internal/controller/serviceaccount"
	"github.com/hanok-dev/hanok/internal/controller/servicelb"
	"github.com/hanok-dev/hanok/internal/controller/statefulset"
	"github.com/hanok-dev/hanok/internal/controller/ttlafterfinished"
	"github.com/hanok-dev/hanok/internal/controller/volumebinding"
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
	{Name: "garbagecollector", Account: "generic-garbage-collector", EventSource: "garbage-collector-controller", Workers: 20, New: func(cc controller.Context, _ *Config) (controller.Controller, error) {
		return garbagecollector.New(cc)
	}},
	{Name: "podgc", Account: "pod-garbage-collector", Workers: 1, New: func(cc controller.Context, cfg *Config) (controller.Controller, error) {
		return podgc.New(cc, podgc.Options{TerminatedPodThreshold: cfg.TerminatedPodGCThreshold}), nil
	}},
	{Name: "nodeipam", Account: "node-controller", EventSource: "cidrAllocator", Workers: 1, New: func(cc controller.Context, cfg *Config) (controller.Controller, error) {
		if cfg.ClusterCIDR == nil {
			return nil, nil // --allocate-node-cidrs off
		}
		return nodeipam.New(cc, cfg.ClusterCIDR, cfg.NodeCIDRMaskSize)
	}},
	{Name: "nodelifecycle", Account: "node-controller", EventSource: "node-controller", Workers: 2, New: func(cc controller.Context, cfg *Config) (controller.Controller, error) {
		return nodelifecycle.New(cc, nodelifecycle.Options{GracePeriod: cfg.NodeMonitorGracePeriod})
	}},
	{Name: "clusterrole-aggregation", Account: clusterroleaggregation.Name, Workers: 1, New: func(cc controller.Context, _ *Config) (controller.Controller, error) {
		return clusterroleaggregation.New(cc)
	}},
	{Name: "replicaset", Account: "replicaset-controller", Workers: 5, New: func(cc controller.Context, _ *Config) (controller.Controller, error) {
		return replicaset.New(cc)
	}},
	{Name: "replicationcontroller", Account: "replication-controller", Workers: 5, New: func(cc controller.Context, _ *Config) (controller.Controller, error) {
		return replicaset.NewReplicationController(cc)
	}},
	{Name: "deployment", Account: "deployment-controller", Workers: 5, New: func(cc controller.Context, _ *Config) (controller.Controller, error) {
		return deployment.New(cc)
	}},
	{Name: "statefulset", Account: "statefulset-controller", Workers: 5, New: func(cc controller.Context, _ *Config) (controller.Controller, error) {
		return statefulset.New(cc)
	}},
	{Name: "daemonset", Account: "daemon-set-controller", EventSource: "daemonset-controller", Workers: 2, New: func(cc controller.Context, _ *Config) (controller.Controller, error) {
		return daemonset.New(cc)
	}},
	{Name: "job", Account: "job-controller", Workers: 5, New: func(cc controller.Context, _ *Config) (controller.Controller, error) {
		return job.New(cc)
	}},
	{Name: "cronjob", Account: "cronjob-controller", Workers: 5, New: func(cc controller.Context, _ *Config) (controller.Controller, error) {
		return cronjob.New(cc)
	}},
	{Name: "endpoints", Account: "endpoint-controller", Workers: 5, New: func(cc controller.Context, _ *Config) (controller.Controller, error) {
		return endpoints.New(cc)
	}},
	{Name: "resourcequota", Account: "resourcequota-controller", Workers: 5, New: func(cc controller.Context, _ *Config) (controller.Controller, error) {
		return resourcequota.New(cc, resourcequota.Options{})
	}},
	{Name: "disruption", Account: "disruption-controller", Workers: 1, New: func(cc controller.Context, _ *Config) (controller.Controller, error) {
		return disruption.New(cc)
	}},
	{Name: "persistentvolume-binder", Account: "persistent-volume-binder", EventSource: "persistentvolume-controller", Workers: 1, New: func(cc controller.Context, _ *Config) (controller.Controller, error) {
		return volumebinding.New(cc)
	}},
	{Name: "ttl-after-finished", Account: "ttl-after-finished-controller", Workers: 5, New: func(cc controller.Context, _ *Config) (controller.Controller, error) {
		return ttlafterfinished.New(cc)
	}},
	{Name: "endpointslice", Account: "endpointslice-controller", EventSource: "endpoint-slice-controller", Workers: 5, New: func(cc controller.Context, _ *Config) (controller.Controller, error) {
		return endpointslice.New(cc)
	}},
	{Name: "cluster-dns", Account: clusterdns.Name, Workers: 1, New: func(cc controller.Context, cfg *Config) (controller.Controller, error) {
		if cfg.ClusterDNS == nil {
			return nil, nil // --disable coredns
		}
		return clusterdns.New(cc, clusterdns.Options{ClusterDNS: cfg.ClusterDNS})
	}},
	{Name: "service-lb-controller", Account: "service-controller", EventSource: servicelb.Name, Workers: 2, New: func(cc controller.Context, _ *Config) (controller.Controller, error) {
		return servicelb.New(cc)
	}},
}
