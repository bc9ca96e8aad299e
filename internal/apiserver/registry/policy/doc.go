// Package policy describes policy/v1 pod disruption budgets for the generic
// REST handler: validation, the status split and table columns. The
// eviction subresource that consults budgets lives with pods, not here.
package policy
