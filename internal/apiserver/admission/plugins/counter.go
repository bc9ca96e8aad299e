package plugins

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
)

// NewDiscoveryCounter returns an ObjectCounter that LISTs any resource
// through client, finding the group's preferred version by discovery. It
// is used once per quota and resource, when a quota on
// count/<resource>.<group> is first charged, so it keeps no cache of
// objects: an informer per countable resource in the API server would
// cost far more memory than these rare LISTs cost time.
func NewDiscoveryCounter(client kubernetes.Interface) ObjectCounter {
	return &discoveryCounter{client: client, versions: map[string]string{}}
}

type discoveryCounter struct {
	client kubernetes.Interface

	mu       sync.Mutex
	versions map[string]string // group -> "group/version"
}

// CountObjects implements ObjectCounter.
func (c *discoveryCounter) CountObjects(ctx context.Context, namespace string, gr schema.GroupResource) (int64, error) {
	rc := c.client.Discovery().RESTClient()
	if rc == nil {
		return 0, fmt.Errorf("no REST client to count %s", gr)
	}
	prefix, err := c.pathPrefix(gr.Group)
	if err != nil {
		return 0, err
	}
	// resourceVersion=0: served from the watch cache, no etcd range read.
	raw, err := rc.Get().AbsPath(prefix, "namespaces", namespace, gr.Resource).
		Param("resourceVersion", "0").SetHeader("Accept", "application/json").Do(ctx).Raw()
	if err != nil {
		return 0, err
	}
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return 0, fmt.Errorf("counting %s: %w", gr, err)
	}
	return int64(len(list.Items)), nil
}

// pathPrefix is /api/v1 for the core group, /apis/<group>/<preferred
// version> otherwise.
func (c *discoveryCounter) pathPrefix(group string) (string, error) {
	if group == "" {
		return "/api/v1", nil
	}
	c.mu.Lock()
	gv, ok := c.versions[group]
	c.mu.Unlock()
	if !ok {
		groups, err := c.client.Discovery().ServerGroups()
		if err != nil {
			return "", err
		}
		for _, g := range groups.Groups {
			if g.Name == group {
				gv = g.PreferredVersion.GroupVersion
			}
		}
		if gv == "" {
			return "", fmt.Errorf("API group %q is not served", group)
		}
		c.mu.Lock()
		c.versions[group] = gv
		c.mu.Unlock()
	}
	return "/apis/" + gv, nil
}
