package webhook_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/hanok-dev/hanok/internal/apiserver"
	"github.com/hanok-dev/hanok/internal/apiserver/admission"
	"github.com/hanok-dev/hanok/internal/apiserver/admission/webhook"
	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/builtin"
	"github.com/hanok-dev/hanok/internal/apiserver/storage"
	"github.com/hanok-dev/hanok/internal/etcd"
)

// startAPIServer runs the real API server (every built-in kind, etcd
// storage with watch caches) with the two webhook plugins as its whole
// admission chain, wired from a SharedInformerFactory exactly as the
// package doc says. internal/testserver has no way to add admission
// plugins to the controlplane assembly yet, so this assembles the parts it
// needs: no TLS or authentication (requests are anonymous and allowed),
// which the webhook path does not care about.
func startAPIServer(t *testing.T) (kubernetes.Interface, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: skipped with -short")
	}
	ctx, cancel := context.WithCancel(context.Background())
	startCtx, startCancel := context.WithTimeout(ctx, 30*time.Second)
	defer startCancel()
	db, err := etcd.Start(startCtx, etcd.Config{
		DataDir:   filepath.Join(t.TempDir(), "etcd"),
		ClientURL: "http://127.0.0.1:0", PeerURL: "http://127.0.0.1:0",
		UnsafeNoFsync: true,
	})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	// Everything stops in one cleanup, in order: informers (their watches
	// end), the HTTP server (it waits for open requests), the watch
	// caches, etcd.
	stops := []func(){db.Stop, cancel}
	t.Cleanup(func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	})

	chain := &admission.Chain{}
	var api *apiserver.Server
	api, err = apiserver.New(apiserver.Config{
		Resources: builtin.Resources(),
		StorageFor: func(res *registry.Resource, prefix string) (storage.Interface, error) {
			return storage.NewCacher(ctx, db.Client(), storage.Config{
				Prefix:        prefix + "/",
				GroupResource: schema.GroupResource{Group: res.GroupVersion.Group, Resource: res.Plural},
				Codec:         storage.DefaultCodec(res.GroupVersion),
				NewFunc:       res.New,
			})
		},
		Admission: chain,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	stops = append(stops, srv.Close)

	client, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL, QPS: -1})
	if err != nil {
		t.Fatal(err)
	}
	f := informers.NewSharedInformerFactory(client, 0)
	mutating := f.Admissionregistration().V1().MutatingWebhookConfigurations()
	validating := f.Admissionregistration().V1().ValidatingWebhookConfigurations()
	nss := f.Core().V1().Namespaces()
	deps := webhook.Deps{
		MutatingConfigs:   mutating.Lister(),
		ValidatingConfigs: validating.Lister(),
		Namespaces:        nss.Lister(),
		LiveNamespace: func(ctx context.Context, name string) (*corev1.Namespace, error) {
			return api.Namespace(ctx, name, true)
		},
		HasSynced: webhook.AllSynced(mutating.Informer().HasSynced, validating.Informer().HasSynced,
			nss.Informer().HasSynced),
	}
	chain.Mutators = append(chain.Mutators, webhook.NewMutating(deps))
	chain.Validators = append(chain.Validators, webhook.NewValidating(deps))
	informerCtx, stopInformers := context.WithCancel(ctx)
	f.Start(informerCtx.Done())
	stops = append(stops, f.Shutdown, stopInformers)
	return client, srv.URL
}
