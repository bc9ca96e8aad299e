package volume

import (
	"context"
	"fmt"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// allocatableCache reads this node's allocatable resources (the default of
// a resourceFieldRef limit a container leaves unset) at most once a minute.
type allocatableCache struct {
	client kubernetes.Interface
	node   string

	mu      sync.Mutex
	value   v1.ResourceList
	fetched time.Time
}

func (c *allocatableCache) get(ctx context.Context) (v1.ResourceList, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.value != nil && time.Since(c.fetched) < time.Minute {
		return c.value, nil
	}
	if c.client == nil || c.node == "" {
		return nil, fmt.Errorf("node allocatable unknown (no client or node name)")
	}
	n, err := c.client.CoreV1().Nodes().Get(ctx, c.node, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading node %q allocatable: %w", c.node, err)
	}
	c.value, c.fetched = n.Status.Allocatable, time.Now()
	return c.value, nil
}
