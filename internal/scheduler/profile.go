package scheduler

import (
	"k8s.io/client-go/kubernetes"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
	"github.com/hanok-dev/hanok/internal/scheduler/plugins/balancedallocation"
	"github.com/hanok-dev/hanok/internal/scheduler/plugins/imagelocality"
	"github.com/hanok-dev/hanok/internal/scheduler/plugins/interpodaffinity"
	"github.com/hanok-dev/hanok/internal/scheduler/plugins/nodeaffinity"
	"github.com/hanok-dev/hanok/internal/scheduler/plugins/nodename"
	"github.com/hanok-dev/hanok/internal/scheduler/plugins/nodeports"
	"github.com/hanok-dev/hanok/internal/scheduler/plugins/noderesources"
	"github.com/hanok-dev/hanok/internal/scheduler/plugins/nodeunschedulable"
	"github.com/hanok-dev/hanok/internal/scheduler/plugins/podtopologyspread"
	"github.com/hanok-dev/hanok/internal/scheduler/plugins/tainttoleration"
	"github.com/hanok-dev/hanok/internal/scheduler/plugins/volumebinding"
	"github.com/hanok-dev/hanok/internal/scheduler/plugins/volumerestrictions"
)

// DefaultSchedulerName is the profile pods get when they name none.
const DefaultSchedulerName = "default-scheduler"

// defaultPlugins is upstream's default profile, in its order (cheap
// filters first), with its score weights: TaintToleration 3,
// NodeAffinity 2, NodeResourcesFit 1, BalancedAllocation 1,
// ImageLocality 1, InterPodAffinity 2, PodTopologySpread 2.
func defaultPlugins(l *listers, client kubernetes.Interface) []framework.WeightedPlugin {
	return []framework.WeightedPlugin{
		{Plugin: nodeunschedulable.Plugin{}},
		{Plugin: nodename.Plugin{}},
		{Plugin: tainttoleration.Plugin{}, Weight: 3},
		{Plugin: nodeaffinity.Plugin{}, Weight: 2},
		{Plugin: nodeports.Plugin{}},
		{Plugin: noderesources.Plugin{}, Weight: 1},
		{Plugin: &volumerestrictions.Plugin{Claims: l.claims.Lister()}},
		{Plugin: &volumebinding.Plugin{Claims: l.claims.Lister(), Volumes: l.volumes.Lister(), StorageClasses: l.classes.Lister(), Client: client}},
		{Plugin: &podtopologyspread.Plugin{DefaultSelector: l.spread.DefaultSelector}, Weight: 2},
		{Plugin: interpodaffinity.Plugin{}, Weight: 2},
		{Plugin: balancedallocation.Plugin{}, Weight: 1},
		{Plugin: imagelocality.Plugin{}, Weight: 1},
	}
}
