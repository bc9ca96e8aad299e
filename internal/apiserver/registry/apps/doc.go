// Package apps describes the apps/v1 kinds (deployments, replicasets,
// statefulsets, daemonsets, controllerrevisions) for the generic REST
// handler: their defaults, validation, status/spec split and table columns.
//
// It also exports the few workload helpers other groups share with apps the
// way upstream shares them (batch checks selectors against templates and
// prints container cells; policy validates int-or-percent budgets).
package apps
