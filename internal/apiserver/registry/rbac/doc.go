// Package rbac describes rbac.authorization.k8s.io/v1 roles, cluster roles
// and their bindings for the generic REST handler: subject defaults, rule
// and binding validation and table columns.
//
// Escalation checks (a user may only grant what they hold) need the
// authorizer and live with it, not here.
package rbac
