// Package controllertest is what the controllers' integration tests share:
// a controller.Context wired to a test API server under a controller's own
// service-account identity (so its RBAC role is exercised), and a fake
// kubelet that plays the node side where no real kubelet runs yet.
//
// The fake kubelet watches pods through the API like a real one: it binds
// unscheduled pods to its nodes (standing in for the scheduler too, when
// asked), turns a Pending pod on one of its nodes Running and Ready with a
// pod IP (or finishes it, as the test decides), and completes graceful
// deletions with a grace-0 delete. It never touches a pod again once it is
// Running, so a test can flip readiness itself with SetReady.
package controllertest
