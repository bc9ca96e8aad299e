package storage

import (
	"fmt"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
)

// Defaults for the zero values of Config's tuning fields.
const (
	// DefaultMinEvents is how many recent events the watch cache keeps however
	// old they are, so a client that reconnects after a quiet spell can resume
	// instead of relisting.
	DefaultMinEvents = 1024
	// DefaultMaxEvents caps the event history (upstream's watch cache cap).
	DefaultMaxEvents = 100 * 1024
	// DefaultEventWindow is how long an event stays in the history before it
	// may be dropped (beyond MinEvents). Upstream sizes its buffer to hold 75s.
	DefaultEventWindow = 75 * time.Second
	// DefaultWatcherBuffer is each watcher's queue length. A watcher whose
	// queue stays full (beyond the dispatcher's small wait budget) is
	// closed, and the client re-watches from its last resourceVersion, so
	// one slow client never stalls the others.
	DefaultWatcherBuffer = 1024
	// DefaultBookmarkInterval is how often a watcher that allows bookmarks
	// gets one (upstream: about a minute).
	DefaultBookmarkInterval = time.Minute
	// DefaultFreshnessTimeout bounds how long a read waits for the cache to
	// reach a resourceVersion (upstream: 3s) before giving up or falling back
	// to etcd.
	DefaultFreshnessTimeout = 3 * time.Second
)

// Config describes one resource's storage. The API server builds one per
// resource and passes it to NewStore or NewCacher.
type Config struct {
	// Prefix is the resource's key prefix, ending in "/" (e.g.
	// "/registry/pods/"). Every key and list prefix used with the store must
	// lie below it; the watch cache watches exactly this prefix.
	Prefix string
	// GroupResource names the resource in error messages
	// (`pods "web" not found`).
	GroupResource schema.GroupResource
	// Codec encodes objects to the stored JSON and decodes them back; see
	// DefaultCodec.
	Codec runtime.Codec
	// NewFunc returns an empty object of the stored type (e.g. &v1.Pod{}).
	NewFunc func() runtime.Object
	// GetAttrs is used by predicates that do not carry their own
	// (Predicate.GetAttrs == nil). Nil means DefaultGetAttrs.
	GetAttrs func(obj runtime.Object) (labels.Set, fields.Set, error)

	// Watch cache tuning (NewCacher only); zero means the Default* value.
	MinEvents        int
	MaxEvents        int
	EventWindow      time.Duration
	WatcherBuffer    int
	BookmarkInterval time.Duration
	FreshnessTimeout time.Duration

	// Logger receives the store's few logs; nil means the standard logrus
	// logger with component=storage and resource fields.
	Logger *logrus.Entry
}

// DefaultCodec returns the codec every built-in resource is stored with:
// JSON in the group version gv, with apiVersion and kind, from client-go's
// scheme (which knows every k8s.io/api type).
func DefaultCodec(gv schema.GroupVersion) runtime.Codec {
	return scheme.Codecs.LegacyCodec(gv)
}

// DefaultGetAttrs returns an object's labels and the field set every kind
// supports: metadata.name and metadata.namespace.
func DefaultGetAttrs(obj runtime.Object) (labels.Set, fields.Set, error) {
	m, err := meta.Accessor(obj)
	if err != nil {
		return nil, nil, err
	}
	return labels.Set(m.GetLabels()), fields.Set{
		"metadata.name":      m.GetName(),
		"metadata.namespace": m.GetNamespace(),
	}, nil
}

// complete validates cfg and fills in defaults.
func (cfg Config) complete() (Config, error) {
	if cfg.Prefix == "" || !strings.HasPrefix(cfg.Prefix, "/") || !strings.HasSuffix(cfg.Prefix, "/") {
		return cfg, fmt.Errorf("storage: prefix %q must start and end with /", cfg.Prefix)
	}
	if cfg.Codec == nil || cfg.NewFunc == nil {
		return cfg, fmt.Errorf("storage %s: Codec and NewFunc are required", cfg.Prefix)
	}
	if cfg.GroupResource.Resource == "" {
		return cfg, fmt.Errorf("storage %s: GroupResource is required (error messages name it)", cfg.Prefix)
	}
	if cfg.GetAttrs == nil {
		cfg.GetAttrs = DefaultGetAttrs
	}
	setDefault(&cfg.MinEvents, DefaultMinEvents)
	setDefault(&cfg.MaxEvents, DefaultMaxEvents)
	if cfg.MaxEvents < cfg.MinEvents {
		cfg.MaxEvents = cfg.MinEvents
	}
	setDefault(&cfg.EventWindow, DefaultEventWindow)
	setDefault(&cfg.WatcherBuffer, DefaultWatcherBuffer)
	setDefault(&cfg.BookmarkInterval, DefaultBookmarkInterval)
	setDefault(&cfg.FreshnessTimeout, DefaultFreshnessTimeout)
	if cfg.Logger == nil {
		cfg.Logger = logrus.WithFields(logrus.Fields{
			"component": "storage",
			"resource":  cfg.GroupResource.String(),
		})
	}
	return cfg, nil
}

func setDefault[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}
