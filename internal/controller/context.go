package controller

import (
	"context"

	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/record"
)

// Context is what a controller is built from.
type Context struct {
	// Client is the controller's own client: it acts as the service
	// account kube-system/<controller name>, bound to the bootstrap role
	// system:controller:<name>, as upstream's
	// --use-service-account-credentials.
	Client kubernetes.Interface
	// RESTConfig is Client's config (the same identity), for the few
	// controllers that also need a dynamic or metadata client (namespace,
	// garbage collector).
	RESTConfig *rest.Config
	// Informers is the manager's one shared factory: a kind is listed and
	// watched once however many controllers read it. A controller asks
	// for its informers while it is built; the manager starts the factory
	// after every controller is built.
	Informers informers.SharedInformerFactory
	// Recorder records events as the controller ("deployment-controller"
	// and so on, upstream's component names).
	Recorder record.EventRecorder
}

// Controller is a built controller; Run blocks until ctx ends, running
// workers goroutines of its loop once its informers have synced.
type Controller interface {
	Run(ctx context.Context, workers int)
}
