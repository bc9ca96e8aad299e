// Package scheduling describes scheduling.k8s.io/v1 priority classes for the
// generic REST handler. The "system-" names are reserved for the two
// built-in classes hanok creates at startup; the single-global-default rule
// needs the store and belongs to admission, not here.
package scheduling
