// Package builtin lists every kind hanok serves, in discovery order: the
// core group first, then the groups in the order upstream lists them, so
// kubectl resolves short names (like "ev") the same way.
package builtin

import (
	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/admissionregistration"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/apps"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/batch"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/coordination"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/core"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/discovery"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/events"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/networking"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/policy"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/rbac"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/resource"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/scheduling"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/storagegroup"
)

// Resources returns a fresh list of every served kind.
func Resources() []*registry.Resource {
	var all []*registry.Resource
	for _, group := range [][]*registry.Resource{
		core.Resources(),
		apps.Resources(),
		events.Resources(),
		batch.Resources(),
		networking.Resources(),
		policy.Resources(),
		rbac.Resources(),
		storagegroup.Resources(),
		admissionregistration.Resources(),
		scheduling.Resources(),
		coordination.Resources(),
		discovery.Resources(),
		resource.Resources(),
	} {
		all = append(all, group...)
	}
	return all
}
