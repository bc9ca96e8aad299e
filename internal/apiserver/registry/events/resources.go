package events

import (
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// Resources describes the events.k8s.io/v1 kinds hanok serves.
func Resources() []*registry.Resource {
	return []*registry.Resource{{
		GroupVersion: eventsv1.SchemeGroupVersion, Kind: "Event", Plural: "events", Singular: "event",
		ShortNames: []string{"ev"}, Namespaced: true,
		New:      func() runtime.Object { return &eventsv1.Event{} },
		NewList:  func() runtime.Object { return &eventsv1.EventList{} },
		Strategy: eventStrategy{},
	}}
}
