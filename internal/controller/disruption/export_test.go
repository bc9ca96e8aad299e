package disruption

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
)

// ReadScale reads ref's /scale as the controller does for kinds it has
// no informer for.
func ReadScale(ctx context.Context, d discovery.DiscoveryInterface, ns string, ref *metav1.OwnerReference) (int32, bool, error) {
	return newScaleReader(d).replicas(ctx, ns, ref)
}
