// Package events describes events.k8s.io/v1 events for the generic REST
// handler. They are stored under their own prefix (not shared with core/v1
// events, which would need conversion between the two shapes); validation is
// the strict one upstream applies to events written through this API.
package events
