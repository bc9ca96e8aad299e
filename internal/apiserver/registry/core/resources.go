package core

import "github.com/hanok-dev/hanok/internal/apiserver/registry"

// Resources returns the core/v1 resources hanok serves, in the order
// discovery lists them.
func Resources() []*registry.Resource {
	return []*registry.Resource{
		namespaces(),
		pods(),
		services(),
		endpoints(),
		nodes(),
		configMaps(),
		secrets(),
		serviceAccounts(),
		events(),
		persistentVolumes(),
		persistentVolumeClaims(),
		limitRanges(),
		resourceQuotas(),
		podTemplates(),
		replicationControllers(),
	}
}
