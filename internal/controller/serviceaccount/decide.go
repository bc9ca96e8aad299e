package serviceaccount

import corev1 "k8s.io/api/core/v1"

// Ensured are the accounts every namespace gets, as upstream's default.
var Ensured = []string{"default"}

// missing is what to create in ns, given which accounts exist there: none
// in a namespace that is not active, since a terminating one refuses new
// content and is about to take the accounts with it.
func missing(ns *corev1.Namespace, exists func(name string) bool) []string {
	if ns == nil || ns.DeletionTimestamp != nil || ns.Status.Phase == corev1.NamespaceTerminating {
		return nil
	}
	var out []string
	for _, name := range Ensured {
		if !exists(name) {
			out = append(out, name)
		}
	}
	return out
}
