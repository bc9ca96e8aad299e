package bootstrappolicy

import rbacv1 "k8s.io/api/rbac/v1"

// NodeRules are what a kubelet may do, as one list: the system:node role's
// rules and the Node authorizer's fallback for resources it does not narrow
// to the node's own objects. Where a rule below looks broad (secrets,
// pods/status, leases), the Node authorizer checks the object first and
// NodeRestriction admission checks the write.
func NodeRules() []rbacv1.PolicyRule {
	return rules(
		// Checking the credentials of callers of the kubelet API.
		verbs("create").groups(authenticationGroup).resources("tokenreviews"),
		verbs("create").groups(authorizationGroup).resources("subjectaccessreviews", "localsubjectaccessreviews"),

		// Service environment variables.
		verbs(read...).groups(legacyGroup).resources("services"),

		// Registering its Node and reporting status.
		verbs("create", "get", "list", "watch").groups(legacyGroup).resources("nodes"),
		verbs("update", "patch").groups(legacyGroup).resources("nodes/status"),
		verbs("update", "patch").groups(legacyGroup).resources("nodes"),

		verbs("create", "update", "patch").groups(legacyGroup).resources("events"),

		verbs(read...).groups(legacyGroup).resources("pods"),
		// Mirror pods of static pods.
		verbs("create", "delete").groups(legacyGroup).resources("pods"),
		verbs("update", "patch").groups(legacyGroup).resources("pods/status"),
		verbs("create").groups(legacyGroup).resources("pods/eviction"),

		// Volumes, env and image pull secrets of its pods.
		verbs("get", "list", "watch").groups(legacyGroup).resources("secrets", "configmaps"),
		verbs("get").groups(legacyGroup).resources("persistentvolumeclaims", "persistentvolumes"),

		verbs("get").groups(legacyGroup).resources("endpoints"),
		// Client certificate rotation.
		verbs("create", "get", "list", "watch").groups(certificatesGroup).resources("certificatesigningrequests"),

		// Heartbeats in kube-node-lease.
		verbs("get", "create", "update", "patch", "delete").groups(coordinationGroup).resources("leases"),

		verbs("get").groups(storageGroup).resources("volumeattachments"),
		// Projected service-account tokens of its pods.
		verbs("create").groups(legacyGroup).resources("serviceaccounts/token"),
		verbs("get", "update", "patch").groups(legacyGroup).resources("persistentvolumeclaims/status"),
		verbs("get", "watch", "list").groups(storageGroup).resources("csidrivers"),
		verbs("get", "create", "update", "patch", "delete").groups(storageGroup).resources("csinodes"),
		verbs("get", "list", "watch").groups(nodeGroup).resources("runtimeclasses"),

		// Dynamic resource allocation: the claims of its pods, and wiping
		// the slices a DRA driver left behind when it re-registers.
		verbs("get").groups(resourceGroup).resources("resourceclaims"),
		verbs("deletecollection").groups(resourceGroup).resources("resourceslices"),

		// hanok: the agent's embedded proxy and DNS may run as the node.
		verbs(read...).groups(legacyGroup).resources("endpoints"),
		verbs(read...).groups(discoveryGroup).resources("endpointslices"),
	)
}
